import 'server-only';

import { randomUUID } from 'node:crypto';

import { unstable_rethrow } from 'next/navigation';

import { getLogger, routeTemplate } from './log';

// Unexpected errors: one log line each, carrying the request's id
// (scripts/graceful-http-server.ts sets X-Request-Id) as errorId; the customer
// or the app gets the same id, never the error. docs/deployment.md, "Errors"

type HeaderSource = Headers | NodeJS.Dict<string | string[]>;

/** The request id given by the HTTP server, or a fresh one where there is none (tests, other servers). */
export function requestIdOf(headers: HeaderSource): string {
  const value = headers instanceof Headers ? headers.get('x-request-id') : headers['x-request-id'];
  const id = Array.isArray(value) ? value[0] : value;
  return id && /^[\w-]{1,64}$/.test(id) ? id : randomUUID();
}

/** Logs the error with its errorId and route template; returns the errorId. */
export function logUnexpected(
  error: unknown,
  where: { errorId: string; route: string; [detail: string]: unknown },
): string {
  getLogger().error({ ...where, err: error }, 'unexpected error');
  return where.errorId;
}

/**
 * A 500 problem (RFC 9457) for an unexpected error: logged, answered with
 * errorId and nothing else about it. server/apps/api/problem.ts gives its type URI.
 */
export function internalErrorProblem(request: Request, error: unknown, type = 'about:blank'): Response {
  const instance = new URL(request.url).pathname;
  const errorId = logUnexpected(error, { errorId: requestIdOf(request.headers), route: routeTemplate(instance) });
  return new Response(JSON.stringify({ type, title: 'Internal error', status: 500, instance, errorId }), {
    status: 500,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
  });
}

/** Runs a route handler's work; what it did not expect becomes internalErrorProblem. */
export async function answerOrProblem(
  request: Request,
  work: () => Promise<Response>,
  type?: string,
): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    // redirect(), notFound() and friends are answers, not errors.
    unstable_rethrow(error);
    return internalErrorProblem(request, error, type);
  }
}
