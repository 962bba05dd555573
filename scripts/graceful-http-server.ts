// The HTTP server's life: decides the client's address (scripts/client-address.ts), and on SIGTERM or SIGINT stops in the order a load balancer needs:
// readiness off, SHUTDOWN_DELAY_MS still serving (so probes see it), stop
// accepting, drain the requests in flight (at most SHUTDOWN_GRACE_MS), write the
// counters kept in memory, stop the webhook worker, close the database pool, exit 0.
// docs/decisions/024-health-shutdown-and-housekeeping.md
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from 'pino';

import { resolveClientAddress, type TrustProxy } from './client-address';
import { refuseUndecodablePath } from './malformed-path';

export type GracefulHttpServerOptions = {
  port: number;
  /** Which peers' X-Forwarded-For is believed (TRUSTED_PROXIES). */
  trustProxy: TrustProxy;
  handle: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** Turns /api/health/ready to 503 (server/platform/health.ts). */
  markStopping: () => void;
  delayMs: number;
  graceMs: number;
  /**
   * Steps after the drain, in order; each failure is logged and the next runs. First the
   * counters kept in memory (content stats), while the database is still open.
   */
  flushCounters?: () => Promise<void>;
  stopWorker: () => Promise<void>;
  closeDatabase: () => Promise<void>;
  onListening?: () => void;
  /** server/platform/log.ts's logger; routeTemplate strips what could identify someone. */
  log: Logger;
  routeTemplate: (url: string | undefined) => string;
  /** Counts each answered request (server/platform/metrics.ts recordRequest). */
  onResponse?: (url: string | undefined, method: string | undefined, status: number, ms: number) => void;
};

const STEP_TIMEOUT_MS = 10_000;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function startGracefulHttpServer(options: GracefulHttpServerOptions) {
  const log = options.log.child({ component: 'http' });
  let stopping = false;
  let inFlight = 0;

  const server = createServer((req, res) => {
    inFlight += 1;
    const started = performance.now();
    // Ours, never the client's: Next.js code reads it as x-request-id, the client gets it back.
    const requestId = randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.once('close', () => {
      inFlight -= 1;
      const ms = performance.now() - started;
      const line = {
        requestId,
        method: req.method,
        route: options.routeTemplate(req.url),
        status: res.statusCode,
        ms: Math.round(ms),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      options.onResponse?.(req.url, req.method, res.statusCode, ms);
      // 503 is readiness saying no, not a failure.
      if (res.statusCode >= 500 && res.statusCode !== 503) log.error(line, 'request failed');
      else log.info(line, 'request');
      // A keep-alive connection whose request began before the stop: close it once idle.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    // Once stopping, each connection closes after its response: none lingers in keep-alive.
    if (stopping) res.setHeader('Connection', 'close');
    if (refuseUndecodablePath(req, res)) return;
    resolveClientAddress(req, options.trustProxy);
    void options.handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, () => options.onListening?.());

  // A cut request may still hold a pooled connection: no step waits for ever.
  const stopLog = options.log.child({ component: 'shutdown' });
  async function step(name: string, run: () => Promise<void>) {
    try {
      const finished = await Promise.race([run().then(() => true), sleep(STEP_TIMEOUT_MS).then(() => false)]);
      if (finished) stopLog.info(name);
      else stopLog.warn(`${name}: gave up after ${STEP_TIMEOUT_MS} ms`);
    } catch (error) {
      stopLog.error(`${name} failed: ${messageOf(error)}`);
    }
  }

  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    options.markStopping();
    stopLog.info(`${signal}: readiness off, still serving for ${options.delayMs} ms`);
    await sleep(options.delayMs);

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    stopLog.info(`stopped accepting connections, ${inFlight} request(s) in flight`);
    const drained = await Promise.race([closed.then(() => true), sleep(options.graceMs).then(() => false)]);
    if (!drained) {
      stopLog.warn(`${inFlight} request(s) still in flight after ${options.graceMs} ms: closing them`);
      server.closeAllConnections();
      await closed;
    } else stopLog.info('requests drained');

    if (options.flushCounters) await step('counters flushed', options.flushCounters);
    await step('webhook worker stopped', options.stopWorker);
    await step('database pool closed', options.closeDatabase);
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return server;
}
