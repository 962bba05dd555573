import 'server-only';

import type { z } from 'zod';

import { visibleFields, type Reader, type SharedField } from '@/server/consent/policy';
import type { Tx } from '@/server/platform/db';

import { mediaType, readBodyText, requestPath } from './http';
import {
  checkIdempotencyKey,
  IdempotencyKeyReused,
  IdempotentReplay,
  parseIdempotencyKey,
  requestFingerprint,
  type Idempotency,
} from './idempotency';
import { fieldError, jsonPointer, problem, type ProblemFieldError } from './problem';

// What the personalization writes of the apps' API (PUT preferences, POST
// signals) share: a JSON body read within a size, an optional or required
// Idempotency-Key, and the policy's decision taken under the customer's lock.
// docs/decisions/035-personalization.md §1

const MAX_FIELD_ERRORS = 50;

export type JsonBody = { ok: true; text: string; value: unknown } | { ok: false; response: Response };

/** The body as JSON (application/json only), read no further than `maxBytes`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBody> {
  const instance = requestPath(request);
  const type = mediaType(request);
  if (type !== 'application/json') {
    return {
      ok: false,
      response: problem('unsupported-media-type', {
        instance,
        detail: `Send the body as application/json, not ${type ?? 'an untyped body'}.`,
      }),
    };
  }
  const body = await readBodyText(request, maxBytes);
  if (!body.ok) {
    return {
      ok: false,
      response:
        body.reason === 'too-large'
          ? problem('payload-too-large', { instance, detail: `This body is at most ${maxBytes / 1024} KiB.` })
          : problem('malformed-request', { instance, detail: 'The body is not UTF-8 text.' }),
    };
  }
  try {
    return { ok: true, text: body.text, value: JSON.parse(body.text) };
  } catch (error) {
    return {
      ok: false,
      response: problem('malformed-request', {
        instance,
        detail: 'The body is not valid JSON.',
        errors: [
          {
            pointer: '',
            code: 'json.malformed',
            detail: error instanceof Error ? error.message.slice(0, 200) : 'not JSON',
          },
        ],
      }),
    };
  }
}

/** A schema's refusal as field errors: unknown members named, the others with their message. */
export function bodyErrors(error: z.ZodError): ProblemFieldError[] {
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            pointer: jsonPointer([...issue.path, key]),
            code: 'unknownField',
            detail: `${key} is not a member of this object.`,
          }))
        : [fieldError({ pointer: jsonPointer(issue.path) }, issue.message, issue.code)],
    )
    .slice(0, MAX_FIELD_ERRORS);
}

export type IdempotencyOf = { ok: true; idempotency: Idempotency | null } | { ok: false; response: Response };

/** The request's Idempotency-Key, if any (a missing one is the caller's call), with the request's fingerprint. */
export function idempotencyOf(
  request: Request,
  app: { id: string },
  customerId: string,
  body: string,
  required: boolean,
): IdempotencyOf {
  const instance = requestPath(request);
  const header = parseIdempotencyKey(request.headers.get('idempotency-key'));
  if (header.kind === 'missing') {
    return required
      ? {
          ok: false,
          response: problem('idempotency-key-missing', {
            instance,
            detail:
              'This request records something: send Idempotency-Key: "<a new UUID>", and the same key when retrying it.',
          }),
        }
      : { ok: true, idempotency: null };
  }
  if (header.kind === 'invalid') {
    return {
      ok: false,
      response: problem('malformed-request', {
        instance,
        detail:
          'Idempotency-Key is 1 to 255 printable characters, best sent quoted: "8e03978e-40d5-43e8-bc93-6894a57f9324".',
        errors: [{ parameter: 'Idempotency-Key', code: 'idempotencyKey.invalid', detail: 'Not a key this API takes.' }],
      }),
    };
  }
  return {
    ok: true,
    idempotency: {
      appId: app.id,
      key: header.key,
      customerId,
      fingerprint: requestFingerprint(request.method, instance, body),
    },
  };
}

/** Nothing of the customer is visible to this app: answered as unknown (ADR 016). */
export class CustomerNotVisible extends Error {
  constructor() {
    super('customer not visible');
  }
}

/** The customer is visible, but not this field: the app may not write it. */
export class FieldNotWritable extends Error {
  constructor(readonly field: SharedField) {
    super(`field not writable: ${field}`);
  }
}

/**
 * The write's `authorize`, under the customer's lock: a known Idempotency-Key
 * first (replayed or refused before anything else is decided), then the
 * policy, as a withdrawal committed before the write decides it.
 */
export function authorizeWrite(
  reader: Reader,
  customerId: string,
  field: SharedField,
  idempotency: Idempotency | null,
) {
  return async (tx: Tx): Promise<void> => {
    if (idempotency) await checkIdempotencyKey(tx, idempotency);
    const visible = await visibleFields(reader, customerId, tx);
    if (Object.keys(visible).length === 0) throw new CustomerNotVisible();
    if (!visible[field]) throw new FieldNotWritable(field);
  };
}

export const notFound = (request: Request) => problem('not-found', { instance: requestPath(request) });

export function fieldNotWritable(request: Request, field: SharedField): Response {
  return problem('field-not-writable', {
    instance: requestPath(request),
    detail: `This app may not write the ${field} of this customer.`,
    errors: [
      {
        pointer: '',
        code: 'field.notVisible',
        detail: `The ${field} field is not visible to this app for this customer (see access in GET /api/v1/customers/{id}).`,
      },
    ],
  });
}

/** The answers of a refusal thrown under the lock; anything else is rethrown (a 500). */
export function refusalResponse(request: Request, error: unknown): Response {
  if (error instanceof IdempotentReplay) {
    const { status, body, headers } = error.response;
    return new Response(body === null || body === undefined ? null : JSON.stringify(body), {
      status,
      headers: {
        ...(body === null || body === undefined ? {} : { 'Content-Type': 'application/json' }),
        'Cache-Control': 'no-store',
        ...headers,
      },
    });
  }
  if (error instanceof IdempotencyKeyReused) {
    return problem('idempotency-key-reused', {
      instance: requestPath(request),
      detail: 'This Idempotency-Key was sent with another request: use a new key for a new operation.',
    });
  }
  if (error instanceof CustomerNotVisible) return notFound(request);
  if (error instanceof FieldNotWritable) return fieldNotWritable(request, error.field);
  throw error;
}
