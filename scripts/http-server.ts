// The HTTP server in front of Next.js, for `npm run dev`, `npm start` and the
// e2e tests. It exists for one reason: `next start` keeps a client-supplied
// X-Forwarded-For header, so a client could pick its own per-IP rate-limit
// bucket. Here the header is rebuilt: the socket's address, preceded by what
// the TRUST_PROXY_HOPS proxies in front of us appended, and nothing else.
import { createServer } from 'node:http';

import next from 'next';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const trustedHops = Math.max(0, Number(process.env.TRUST_PROXY_HOPS ?? 0) || 0);

const app = next({ dev, turbopack: dev, dir: process.cwd(), port, hostname: 'localhost' });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const trusted = trustedHops > 0 ? forwarded.slice(-trustedHops) : [];
  req.headers['x-forwarded-for'] = [...trusted, req.socket.remoteAddress ?? ''].filter(Boolean).join(', ');
  void handle(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, () => {
  console.log(`▲ Accord ${dev ? 'development' : 'production'} server on http://localhost:${port}`);
});

// The webhook worker runs beside the app unless WEBHOOK_WORKER=off (then `npm
// run worker` elsewhere). Its errors are logged, never thrown at the server.
const webhookWorker: Promise<(() => Promise<void>) | null> =
  (process.env.WEBHOOK_WORKER ?? 'on') === 'on'
    ? import('./webhook-worker-in-process')
        .then((m) => m.startInProcessWebhookWorker())
        .catch((error: unknown) => {
          console.error('[webhooks] worker not started:', error instanceof Error ? error.message : error);
          return null;
        })
    : Promise.resolve(null);

function shutdown() {
  let pending = 2;
  const finished = () => --pending === 0 && process.exit(0);
  server.close(finished);
  void webhookWorker
    .then((stop) => stop?.())
    .catch(() => undefined)
    .then(finished);
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
