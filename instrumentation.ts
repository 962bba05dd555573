// Validates the environment when the server starts, so a bad variable stops
// `next start` with a clear message instead of failing the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getEnv } = await import('./server/platform/env');
    getEnv();
  }
}
