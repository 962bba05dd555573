import type { Instrumentation } from 'next';

// Validates the environment when the server starts, so a bad variable stops
// `next start` with a clear message instead of failing the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getEnv } = await import('./server/platform/env');
    getEnv();
  }
}

/**
 * Every error Next.js did not see handled (pages, server actions, route
 * handlers): one log line with the request id, which the error page shows as
 * the reference (components/error-reference.tsx), and Next's digest.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { logUnexpected, requestIdOf } = await import('./server/platform/errors');
  logUnexpected(error, {
    errorId: requestIdOf(request.headers),
    route: context.routePath,
    kind: context.routeType,
    method: request.method,
    ...(error instanceof Error && 'digest' in error ? { digest: String(error.digest) } : {}),
  });
};
