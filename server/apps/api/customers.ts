import 'server-only';

import type { z } from 'zod';

import type { Locale } from '@/lib/i18n/config';
import { appReader } from '@/server/apps/registry';
import { recordDataAccess } from '@/server/consent/access-log';
import {
  readCustomers,
  readCustomersGated,
  visibleFields,
  type PolicyRead,
  type SharedField,
} from '@/server/consent/policy';
import { updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import {
  appGate,
  authenticateApp,
  bearerToken,
  insufficientScope,
  judgeApp,
  type ApiApp,
  type AppGateRow,
} from '../oauth';
import { etag, json, mediaType, parseIfMatch, readBodyText, requestPath } from './http';
import { fieldError, internalError, jsonPointer, problem, type ProblemFieldError } from './problem';
import {
  CustomerIdSchema,
  CustomerListQuerySchema,
  CustomerPatchSchema,
  normalizeCustomerPatch,
  type ApiCustomer,
  type ApiCustomerConsents,
} from './schemas';

// The apps' REST API v1 on customers (app/api/v1/customers/…). Every read
// goes through the consent policy (server/consent/policy.ts), every write
// through updateProfile, the portal's own. docs/api.md

const PATCH_BODY_MAX_BYTES = 64 * 1024;
const MAX_FIELD_ERRORS = 50;
const PATCH_MEDIA_TYPES = new Set(['application/json', 'application/merge-patch+json']);

/** Runs a route's work; anything unexpected becomes a 500 problem without details (and is logged). */
export async function answer(request: Request, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return internalError(request, error);
  }
}

function toApiCustomer(read: PolicyRead): ApiCustomer {
  const { updatedAt, locale, ...customer } = read.customer;
  return {
    ...customer,
    ...(locale === undefined ? {} : { locale: locale as Locale }),
    updatedAt: updatedAt.toISOString(),
    access: read.visible,
  };
}

export function notFound(request: Request): Response {
  return problem('not-found', { instance: requestPath(request) });
}

export const isCustomerId = (id: string) => CustomerIdSchema.safeParse(id).success;

/**
 * GET /api/v1/customers/{id}: the hot path, one token check and one statement
 * (the app check, its rate limit, the policy read and its access log).
 */
export async function getCustomer(request: Request, id: string): Promise<Response> {
  if (!isCustomerId(id)) {
    const auth = await authenticateApp(request, 'customers:read');
    return auth.ok ? notFound(request) : auth.response;
  }
  const bearer = await bearerToken(request);
  if (!bearer.ok) return bearer.response;
  const { gate, reads } = await readCustomersGated<AppGateRow>(appGate(bearer.claims, 'customers:read'), {
    ids: [id],
  });
  const auth = judgeApp(request, bearer.claims, gate, 'customers:read');
  if (!auth.ok) return auth.response;
  const [read] = reads;
  // Nothing visible (never consented, or access withdrawn) is answered as unknown.
  if (!read || Object.keys(read.visible).length === 0) return notFound(request);
  return json(toApiCustomer(read), { headers: { ETag: etag(read.customer.version) } });
}

// ── Lists ──

const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string | null {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return isCustomerId(id) ? id.toLowerCase() : null;
}

function parameterProblem(request: Request, errors: ProblemFieldError[]): Response {
  return problem('malformed-request', {
    instance: requestPath(request),
    detail: 'A query parameter is not valid.',
    errors,
  });
}

/** GET /api/v1/customers?email=… or a page of every customer the app may see something of, in id order. */
export async function listCustomers(request: Request): Promise<Response> {
  const auth = await authenticateApp(request, 'customers:read');
  if (!auth.ok) return auth.response;
  const url = new URL(request.url);
  for (const name of new Set(url.searchParams.keys())) {
    if (url.searchParams.getAll(name).length > 1) {
      return parameterProblem(request, [
        { parameter: name, code: 'parameter.repeated', detail: `${name} is given more than once.` },
      ]);
    }
  }
  const parsed = CustomerListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return parameterProblem(request, queryErrors(parsed.error));
  const { email, limit, cursor } = parsed.data;
  const reader = appReader(auth.app);

  if (email !== undefined) {
    if (cursor !== undefined)
      return parameterProblem(request, [
        {
          parameter: 'cursor',
          code: 'cursor.withEmail',
          detail: 'A lookup by email is not paginated: leave cursor out.',
        },
      ]);
    const reads = await readCustomers(reader, { email: email.trim().toLowerCase() });
    return json({ data: reads.map(toApiCustomer), next: null });
  }

  let after: string | null = null;
  if (cursor !== undefined) {
    after = decodeCursor(cursor);
    if (after === null)
      return parameterProblem(request, [
        {
          parameter: 'cursor',
          code: 'cursor.invalid',
          detail: "Not a cursor this API gave: pass the previous page's next as it is.",
        },
      ]);
  }
  const reads = await readCustomers(reader, { after, limit });
  const last = reads.at(-1);
  // A full page may be followed by more; the last page is the one not full.
  const next = reads.length === limit && last ? encodeCursor(last.customer.id) : null;
  const headers: Record<string, string> = {};
  if (next) headers.Link = `<${getEnv().APP_URL}/api/v1/customers?limit=${limit}&cursor=${next}>; rel="next"`;
  return json({ data: reads.map(toApiCustomer), next }, { headers });
}

function queryErrors(error: z.ZodError): ProblemFieldError[] {
  return error.issues.slice(0, MAX_FIELD_ERRORS).flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          parameter: key,
          code: 'parameter.unknown',
          detail: `${key} is not a parameter of this request.`,
        }))
      : [fieldError({ parameter: String(issue.path[0] ?? '') }, issue.message, issue.code)],
  );
}

// ── Writes ──

const EMAIL_NOT_WRITABLE =
  'The email address is not writable through the API: the customer changes it in the portal, where the new address is verified.';

function bodyErrors(error: z.ZodError): ProblemFieldError[] {
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            pointer: jsonPointer([...issue.path, key]),
            code: 'unknownField',
            detail:
              key === 'email' && issue.path.length === 0
                ? EMAIL_NOT_WRITABLE
                : `${key} is not a member of this object.`,
          }))
        : [fieldError({ pointer: jsonPointer(issue.path) }, issue.message, issue.code)],
    )
    .slice(0, MAX_FIELD_ERRORS);
}

/** The shared field each attribute of a patch belongs to: an app writes only fields it may read. */
function fieldsWritten(patch: z.output<typeof CustomerPatchSchema>): Array<[SharedField, string]> {
  const fields: Array<[SharedField, string]> = [];
  if (patch.firstName !== undefined) fields.push(['name', '/firstName']);
  if (patch.lastName !== undefined) fields.push(['name', '/lastName']);
  if (patch.phone !== undefined) fields.push(['phone', '/phone']);
  if (patch.locale !== undefined) fields.push(['locale', '/locale']);
  for (const [kind, address] of Object.entries(patch.addresses ?? {})) {
    if (address !== undefined) fields.push(['postalAddress', `/addresses/${kind}`]);
  }
  return fields;
}

/**
 * PATCH /api/v1/customers/{id}: a ProfilePatch, conditional on If-Match,
 * written by updateProfile with the app's name as channel.
 */
export async function patchCustomer(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'customers:write');
  if (!auth.ok) return auth.response;
  const instance = requestPath(request);
  if (!isCustomerId(id)) return notFound(request);

  const type = mediaType(request);
  if (type === null || !PATCH_MEDIA_TYPES.has(type)) {
    return problem('unsupported-media-type', {
      instance,
      detail: `Send the change as application/json, not ${type ?? 'an untyped body'}.`,
      headers: { 'Accept-Patch': 'application/merge-patch+json, application/json' },
    });
  }
  const body = await readBodyText(request, PATCH_BODY_MAX_BYTES);
  if (!body.ok) {
    return body.reason === 'too-large'
      ? problem('payload-too-large', { instance })
      : problem('malformed-request', { instance, detail: 'The body is not UTF-8 text.' });
  }
  let input: unknown;
  try {
    input = JSON.parse(body.text);
  } catch (error) {
    return problem('malformed-request', {
      instance,
      detail: 'The body is not valid JSON.',
      errors: [
        {
          pointer: '',
          code: 'json.malformed',
          detail: error instanceof Error ? error.message.slice(0, 200) : 'not JSON',
        },
      ],
    });
  }
  const parsed = CustomerPatchSchema.safeParse(input);
  if (!parsed.success) return problem('validation-failed', { instance, errors: bodyErrors(parsed.error) });

  if (parsed.data.locale !== undefined && !auth.app.scopes.includes('preferences:write')) {
    return insufficientScope(request, 'preferences:write').response;
  }

  const ifMatch = parseIfMatch(request.headers.get('if-match'));
  if (ifMatch.kind === 'missing' || ifMatch.kind === 'any') {
    return problem('precondition-required', {
      instance,
      detail:
        ifMatch.kind === 'any'
          ? 'If-Match: * is not accepted: send the ETag you read, so a change made since is never overwritten.'
          : undefined,
    });
  }
  if (ifMatch.kind === 'invalid') {
    return problem('malformed-request', {
      instance,
      detail: 'If-Match takes one ETag as this API gives it, like "7".',
      errors: [{ parameter: 'If-Match', code: 'ifMatch.invalid', detail: 'One strong ETag, like "7".' }],
    });
  }

  const reader = appReader(auth.app);
  const written = fieldsWritten(parsed.data);
  // Decided under the customer's row lock, as a withdrawal of this app takes it:
  // a withdrawal committed before the write always wins.
  const refused: Array<[SharedField, string]> = [];
  const result = await updateProfile(id, normalizeCustomerPatch(input), {
    channel: auth.app.name,
    expectedVersion: ifMatch.version,
    onStale: 'reject',
    authorize: async (tx) => {
      const visible = await visibleFields(reader, id, tx);
      // Nothing visible: the customer is not found for this app (below).
      if (Object.keys(visible).length === 0) return false;
      refused.push(...written.filter(([field]) => !visible[field]));
      return refused.length === 0;
    },
  });
  if (refused.length > 0) {
    return problem('field-not-writable', {
      instance,
      detail: `This app may not write ${[...new Set(refused.map(([f]) => f))].join(', ')} of this customer.`,
      errors: refused.map(([field, pointer]) => ({
        pointer,
        code: 'field.notVisible',
        detail: `The ${field} field is not visible to this app for this customer.`,
      })),
    });
  }
  if (!result.ok) {
    if (result.reason === 'not-found' || result.reason === 'forbidden') return notFound(request);
    if (result.reason === 'invalid') {
      // The same schema passed above: only reachable if the two ever diverge.
      return problem('validation-failed', {
        instance,
        errors: Object.entries(result.fieldErrors).map(([path, message]) =>
          fieldError({ pointer: jsonPointer(path.split('.')) }, message, 'custom'),
        ),
      });
    }
    return stale(instance, result.version);
  }
  // A write that changes nothing is not refused by updateProfile even when
  // stale; If-Match still means "only if this is the version".
  if (result.changed.length === 0 && result.version !== ifMatch.version) return stale(instance, result.version);

  const [read] = await readCustomers(reader, { ids: [id] });
  if (!read || Object.keys(read.visible).length === 0) {
    // Access withdrawn between the write and this read: written, but nothing to show.
    return new Response(null, { status: 204, headers: { ETag: etag(result.version), 'Cache-Control': 'no-store' } });
  }
  return json(toApiCustomer(read), { headers: { ETag: etag(read.customer.version) } });
}

function stale(instance: string, currentVersion: number): Response {
  return problem('precondition-failed', {
    instance,
    detail: `The customer is at version ${currentVersion} now.`,
    headers: { ETag: etag(currentVersion) },
  });
}

// ── Consents ──

type ConsentRow = {
  key: string;
  current_version: number;
  granted: boolean | null;
  purpose_version: number | null;
  answered_at: Date | null;
};

/**
 * The customer's answers for the purposes the app declared, if the app may
 * see something of the customer; the read is logged in the same transaction.
 */
async function readConsents(app: ApiApp, customerId: string): Promise<ApiCustomerConsents | null> {
  const reader = appReader(app);
  return prisma.$transaction(async (tx) => {
    const visible = await visibleFields(reader, customerId, tx);
    if (Object.keys(visible).length === 0) return null;
    const rows = await tx.$queryRaw<ConsentRow[]>`
      SELECT p.key, p.current_version, c.granted, c.purpose_version, c.answered_at
      FROM consent_purposes p
      LEFT JOIN accord_current_consents(${customerId}::uuid) c ON c.purpose_key = p.key
      WHERE p.key = ANY(${app.purposes}::text[])
      ORDER BY p.sort_order, p.key`;
    await recordDataAccess(tx, [
      { customerId, accessor: reader.accessor, fields: ['consents'], purpose: Object.values(visible) },
    ]);
    return {
      customerId,
      purposes: rows.map((r) => ({
        purpose: r.key,
        granted: r.granted === true,
        version: r.purpose_version,
        currentVersion: r.current_version,
        answeredAt: r.answered_at?.toISOString() ?? null,
      })),
    };
  });
}

/** GET /api/v1/customers/{id}/consents. */
export async function getCustomerConsents(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'customers:read');
  if (!auth.ok) return auth.response;
  if (!isCustomerId(id)) return notFound(request);
  const consents = await readConsents(auth.app, id);
  return consents ? json(consents) : notFound(request);
}
