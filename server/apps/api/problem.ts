import 'server-only';

import en from '@/messages/en.json';
import { getEnv } from '@/server/platform/env';
import { internalErrorProblem } from '@/server/platform/errors';

// Errors of the apps' API as RFC 9457 problem details
// (https://www.rfc-editor.org/rfc/rfc9457). Each kind has a stable type URI
// that points at its explanation on /docs/api, which renders this catalogue.

export const PROBLEMS = {
  'invalid-token': {
    status: 401,
    title: 'Invalid or missing access token',
    help: 'Get a new token from POST /api/oauth/token and send it as "Authorization: Bearer <token>".',
  },
  'insufficient-scope': {
    status: 403,
    title: 'The token lacks a scope this request needs',
    help: 'Ask for the scope when requesting the token; the app must have been registered with it.',
  },
  'field-not-writable': {
    status: 403,
    title: 'The app may not write these fields of this customer',
    help: 'An app writes only the fields it may currently read (declared for a purpose the customer has granted).',
  },
  'not-found': {
    status: 404,
    title: 'No such customer for this app',
    help: 'Unknown id, or a customer of whom this app may see nothing (not consented, or access withdrawn): the two are not told apart.',
  },
  'malformed-request': {
    status: 400,
    title: 'The request could not be read',
    help: 'The body is not valid JSON, a query parameter or header is malformed: see errors.',
  },
  'validation-failed': {
    status: 422,
    title: 'The request body is not a valid customer change',
    help: 'See errors: one entry per field, with a JSON pointer, a stable code and an English explanation. Nothing was written.',
  },
  'payload-too-large': {
    status: 413,
    title: 'The request body is too large',
    help: 'A customer change is at most 64 KiB, a replacement of preferences 16 KiB, a signal 4 KiB.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported content type',
    help: 'Send the body as application/json (or application/merge-patch+json).',
  },
  'idempotency-key-missing': {
    status: 400,
    title: 'Idempotency-Key is required',
    help: 'Send a unique key per operation (a UUID) as Idempotency-Key: "<key>", and the same key when retrying it: the retry then gets the first answer instead of recording twice.',
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'This Idempotency-Key was used for another request',
    help: 'A key names one operation (method, path and body) for 24 hours: use a new key for a new operation. Nothing was written.',
  },
  'precondition-failed': {
    status: 412,
    title: 'The customer changed since the version in If-Match',
    help: 'Read the customer again (the current ETag is in this response), apply your change to it and retry with the new ETag.',
  },
  'precondition-required': {
    status: 428,
    title: 'If-Match is required',
    help: 'Send the ETag of the customer as you last read it: If-Match: "<version>".',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests for this app',
    help: 'Wait for the number of seconds in Retry-After. The limit is per app and per minute, set when the app is registered; signals have another, per app and customer (RATE_LIMIT_SIGNALS_PER_CUSTOMER a minute).',
  },
  'too-many-token-requests': {
    status: 429,
    title: 'Too many token requests',
    help: 'Wait for the number of seconds in Retry-After. The token endpoint takes a limited number of requests per client id and per IP address every 15 minutes: keep a token until it expires (expires_in) rather than asking for one per request.',
  },
  'internal-error': {
    status: 500,
    title: 'Internal error',
    help: 'Nothing about it is shown here; it was logged on the server with the errorId given.',
  },
} as const satisfies Record<string, { status: number; title: string; help: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

/** One field (pointer into the JSON body) or query/header parameter that was refused. */
export type ProblemFieldError = { pointer?: string; parameter?: string; code: string; detail: string };

export type ProblemInit = {
  /** The request path the problem happened at. */
  instance: string;
  detail?: string;
  errors?: ProblemFieldError[];
  headers?: Record<string, string>;
  /** Extension members (RFC 9457 section 3.2). */
  extensions?: Record<string, unknown>;
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(kind: ProblemKind): string {
  return `${getEnv().APP_URL}/docs/api#problem-${kind}`;
}

export function problem(kind: ProblemKind, init: ProblemInit): Response {
  const { status, title } = PROBLEMS[kind];
  const body = {
    type: problemType(kind),
    title,
    status,
    ...(init.detail ? { detail: init.detail } : {}),
    instance: init.instance,
    ...(init.errors && init.errors.length > 0 ? { errors: init.errors } : {}),
    ...init.extensions,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...init.headers },
  });
}

const validationMessages = en.validation as Record<string, Record<string, string>>;
const MESSAGE_KEY = /^([A-Za-z]+)\.([A-Za-z]+)$/;

/**
 * A refused value as a field error: the shared schemas' message keys
 * ("firstName.tooLong") become the stable code, with the portal's English
 * wording as detail; zod's own issues keep their code and message.
 */
export function fieldError(
  location: { pointer: string } | { parameter: string },
  message: string,
  zodCode: string,
): ProblemFieldError {
  const key = MESSAGE_KEY.exec(message);
  const text = key ? validationMessages[key[1]!]?.[key[2]!] : undefined;
  return { ...location, code: key ? message : zodCode, detail: text ?? message };
}

/** RFC 6901: "~" and "/" escaped in each segment. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Unexpected: logged with the request id as errorId, answered without details. */
export function internalError(request: Request, error: unknown): Response {
  return internalErrorProblem(request, error, problemType('internal-error'));
}
