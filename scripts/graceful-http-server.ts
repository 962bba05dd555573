// The HTTP server's life: rebuilds X-Forwarded-For (scripts/http-server.ts says
// why), and on SIGTERM or SIGINT stops in the order a load balancer needs:
// readiness off, SHUTDOWN_DELAY_MS still serving (so probes see it), stop
// accepting, drain the requests in flight (at most SHUTDOWN_GRACE_MS), stop the
// webhook worker, close the database pool, exit 0.
// docs/decisions/024-health-shutdown-and-housekeeping.md
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export type GracefulHttpServerOptions = {
  port: number;
  trustedHops: number;
  handle: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** Turns /api/health/ready to 503 (server/platform/health.ts). */
  markStopping: () => void;
  delayMs: number;
  graceMs: number;
  /** Steps after the drain, in order; each failure is logged and the next runs. */
  stopWorker: () => Promise<void>;
  closeDatabase: () => Promise<void>;
  onListening?: () => void;
};

const STEP_TIMEOUT_MS = 10_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function startGracefulHttpServer(options: GracefulHttpServerOptions) {
  let stopping = false;
  let inFlight = 0;

  const server = createServer((req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      // A keep-alive connection whose request began before the stop: close it once idle.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    // Once stopping, each connection closes after its response: none lingers in keep-alive.
    if (stopping) res.setHeader('Connection', 'close');
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const trusted = options.trustedHops > 0 ? forwarded.slice(-options.trustedHops) : [];
    req.headers['x-forwarded-for'] = [...trusted, req.socket.remoteAddress ?? ''].filter(Boolean).join(', ');
    void options.handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, () => options.onListening?.());

  // A cut request may still hold a pooled connection: no step waits for ever.
  async function step(name: string, run: () => Promise<void>) {
    try {
      const finished = await Promise.race([run().then(() => true), sleep(STEP_TIMEOUT_MS).then(() => false)]);
      console.log(finished ? `[shutdown] ${name}` : `[shutdown] ${name}: gave up after ${STEP_TIMEOUT_MS} ms`);
    } catch (error) {
      console.error(`[shutdown] ${name} failed: ${messageOf(error)}`);
    }
  }

  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    options.markStopping();
    console.log(`[shutdown] ${signal}: readiness off, still serving for ${options.delayMs} ms`);
    await sleep(options.delayMs);

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    console.log(`[shutdown] stopped accepting connections, ${inFlight} request(s) in flight`);
    const drained = await Promise.race([closed.then(() => true), sleep(options.graceMs).then(() => false)]);
    if (!drained) {
      console.error(`[shutdown] ${inFlight} request(s) still in flight after ${options.graceMs} ms: closing them`);
      server.closeAllConnections();
      await closed;
    } else console.log('[shutdown] requests drained');

    await step('webhook worker stopped', options.stopWorker);
    await step('database pool closed', options.closeDatabase);
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return server;
}
