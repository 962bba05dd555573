// The HTTP server in front of Next.js, for `npm run dev`, `npm start` and the
// e2e tests. It exists for two reasons: `next start` keeps a client-supplied
// X-Forwarded-For header, so a client could pick its own per-IP rate-limit
// bucket (here only the socket's peer and the TRUSTED_PROXIES behind it are
// believed: scripts/client-address.ts); and a stop on SIGTERM that loses no
// request (scripts/graceful-http-server.ts).
import next from 'next';

import { compileTrustedProxies } from './client-address';
import { startGracefulHttpServer } from './graceful-http-server';
import { importServerModule, startInProcessWebhookWorker } from './webhook-worker-in-process';

const dev = process.argv.includes('--dev');
const { getEnv } = await importServerModule(() => import('../server/platform/env'));
const env = getEnv();

const app = next({ dev, turbopack: dev, dir: process.cwd(), port: env.PORT, hostname: 'localhost' });
const nextHandle = app.getRequestHandler();
await app.prepare();

// The OpenID provider, on the same origin under /oidc so the portal's session
// is its login (docs/decisions/037-openid-provider.md); everything else is Next's.
const { createOidcRequestHandler } = await importServerModule(() => import('../server/oidc/provider'));
const handleOidc = await createOidcRequestHandler();
const handle: typeof nextHandle = (req, res, parsedUrl) =>
  handleOidc(req, res) ? Promise.resolve() : nextHandle(req, res, parsedUrl);

// The webhook worker runs beside the app unless WEBHOOK_WORKER=off (then `npm
// run worker` elsewhere). Its errors are logged, never thrown at the server.
const stopWebhookWorker = env.WEBHOOK_WORKER === 'on' ? startInProcessWebhookWorker() : Promise.resolve(null);

const { markStopping } = await importServerModule(() => import('../server/platform/health'));
const { getLogger, routeTemplate } = await importServerModule(() => import('../server/platform/log'));
const { recordRequest } = await importServerModule(() => import('../server/platform/metrics'));
const log = getLogger();
startGracefulHttpServer({
  log,
  routeTemplate,
  onResponse: recordRequest,
  port: env.PORT,
  trustProxy: compileTrustedProxies(env.TRUSTED_PROXIES),
  handle,
  markStopping,
  delayMs: env.SHUTDOWN_DELAY_MS,
  graceMs: env.SHUTDOWN_GRACE_MS,
  // Next's bundle counts into globalThis: this process's copy of the module writes the same counts.
  flushCounters: async () =>
    (await importServerModule(() => import('../server/personalization/stats'))).flushContentStats(),
  stopWorker: async () => (await stopWebhookWorker)?.(),
  closeDatabase: async () => (await importServerModule(() => import('../server/platform/db'))).closeDatabase(),
  onListening: () =>
    log.info({ port: env.PORT, mode: dev ? 'development' : 'production' }, `listening on http://localhost:${env.PORT}`),
});
