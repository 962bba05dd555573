import 'server-only';

import type { PreferencesInput } from '@/lib/validation/preferences';
import { appReader } from '@/server/apps/registry';
import { writePreferences, type WritePreferencesResult } from '@/server/personalization/preferences';
import { prisma } from '@/server/platform/db';

import { authenticateApp } from '../oauth';
import { etag, parseIfMatch, requestPath } from './http';
import { storeIdempotentResponse, type StoredResponse } from './idempotency';
import { problem, type ProblemFieldError } from './problem';
import { CustomerIdSchema, PreferencesPutSchema } from './schemas';
import { authorizeWrite, bodyErrors, idempotencyOf, notFound, readJsonBody, refusalResponse } from './write-request';

// PUT /api/v1/customers/{id}/preferences: a full replacement through the
// portal's own write path (server/personalization/preferences.ts), with the
// app's name as provenance. docs/decisions/035-personalization.md §1, docs/api.md

const PUT_BODY_MAX_BYTES = 16 * 1024;

/** The write path's message keys (also the portal's, preferences.errors.*) as the API explains them. */
const PREFERENCE_ERRORS: Record<string, string> = {
  'preferences.errors.interest': 'Not a category of this site, or a retired one the customer does not hold.',
  'preferences.errors.interests': `A list of category keys (at most 30).`,
  'preferences.errors.store': 'Not a store of this site, or a retired one the customer does not hold.',
  'preferences.errors.size': 'Not a size of this system: clothing XS, S, M, L, XL, XXL; shoes 35 to 48 (EU).',
  'preferences.errors.channel': 'Not a channel: email, sms, push or post.',
  'preferences.errors.channels': 'A list of channels: email, sms, push, post.',
};

const issueErrors = (issues: Array<{ path: string; message: string }>): ProblemFieldError[] =>
  issues.map((i) => ({ pointer: i.path, code: i.message, detail: PREFERENCE_ERRORS[i.message] ?? i.message }));

async function currentVersion(customerId: string): Promise<number> {
  const state = await prisma.personalizationState.findUnique({
    where: { customerId },
    select: { preferencesVersion: true },
  });
  return state?.preferencesVersion ?? 0;
}

export async function putPreferences(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'preferences:write');
  if (!auth.ok) return auth.response;
  const instance = requestPath(request);
  if (!CustomerIdSchema.safeParse(id).success) return notFound(request);

  const body = await readJsonBody(request, PUT_BODY_MAX_BYTES);
  if (!body.ok) return body.response;
  const parsed = PreferencesPutSchema.safeParse(body.value);
  if (!parsed.success) {
    return problem('validation-failed', {
      instance,
      // The shared schema's messages are the portal's keys: the key is the code.
      errors: bodyErrors(parsed.error).map((e) =>
        PREFERENCE_ERRORS[e.detail] ? { ...e, code: e.detail, detail: PREFERENCE_ERRORS[e.detail]! } : e,
      ),
    });
  }

  const ifMatch = parseIfMatch(request.headers.get('if-match'));
  if (ifMatch.kind === 'missing' || ifMatch.kind === 'any') {
    return problem('precondition-required', {
      instance,
      detail:
        ifMatch.kind === 'any'
          ? 'If-Match: * is not accepted: send the ETag of the preferences you read, so a change made since is never overwritten.'
          : 'Send the ETag of the preferences as you last read them (GET …/preferences): If-Match: "<version>".',
    });
  }
  if (ifMatch.kind === 'invalid') {
    return problem('malformed-request', {
      instance,
      detail: 'If-Match takes one ETag as this API gives it, like "3".',
      errors: [{ parameter: 'If-Match', code: 'ifMatch.invalid', detail: 'One strong ETag, like "3".' }],
    });
  }
  const idempotent = idempotencyOf(request, auth.app, id, body.text, false);
  if (!idempotent.ok) return idempotent.response;
  const { idempotency } = idempotent;

  let result: WritePreferencesResult;
  try {
    result = await writePreferences(id, parsed.data as PreferencesInput, {
      channel: auth.app.name,
      appId: auth.app.id,
      expectedVersion: ifMatch.version,
      authorize: authorizeWrite(appReader(auth.app), id, 'preferences', idempotency),
      onWritten: idempotency
        ? (tx, written) => storeIdempotentResponse(tx, idempotency, answerOf(written.version))
        : undefined,
    });
  } catch (error) {
    return refusalResponse(request, error);
  }
  if (!result.ok) {
    if (result.error === 'not-found') return notFound(request);
    if (result.error === 'invalid')
      return problem('validation-failed', { instance, errors: issueErrors(result.issues) });
    const version = await currentVersion(id);
    return problem('precondition-failed', {
      instance,
      detail: `The preferences are at version ${version} now.`,
      headers: { ETag: etag(version) },
    });
  }
  const answer = answerOf(result.version);
  return new Response(null, { status: answer.status, headers: { 'Cache-Control': 'no-store', ...answer.headers } });
}

/** Written (or nothing to change): no body, the new ETag. */
const answerOf = (version: number): StoredResponse => ({
  status: 204,
  body: null,
  headers: { ETag: etag(version) },
});
