import 'server-only';

import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { getPool } from './db';
import { getEnv } from './env';

// Prometheus metrics for /api/metrics. Counters live in the process that sees
// the event (requests, mails, codes, and webhook tries when the worker runs
// in this process); what the worker leaves in the database (backlog, lag,
// dead deliveries) is read by one query at scrape time, so every instance
// reports it whatever process delivers. docs/decisions/028-metrics.md

export type Metrics = ReturnType<typeof createMetrics>;

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'accord_' });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'accord_http_requests_total',
      help: 'HTTP requests answered, by route template (never a raw path), method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    apiDuration: new Histogram({
      name: 'accord_api_request_duration_seconds',
      help: 'Time to answer /api/ requests, by route template and method.',
      labelNames: ['route', 'method'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    mails: new Counter({
      name: 'accord_mails_total',
      help: 'Tries of queued mails by purpose (sign-in, security-notice, …): sent, retry (SMTP failed, tried again later), failed (given up), dropped (its code expired first).',
      labelNames: ['purpose', 'outcome'] as const,
      registers,
    }),
    signInCodes: new Counter({
      name: 'accord_sign_in_codes_total',
      help: 'Sign-in codes checked: verified, or failed with the reason (wrong-code, code-dead, expired, rate-limited, codes-paused).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    webhookTries: new Counter({
      name: 'accord_webhook_deliveries_total',
      help: 'Webhook delivery tries made by the worker in this process, by result (delivered, retry, dead, suppressed, superseded).',
      labelNames: ['result'] as const,
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'accord_outbox_backlog',
      help: 'Outbox events not yet fanned out to webhook deliveries (database, at scrape time).',
      registers,
    }),
    webhookPending: new Gauge({
      name: 'accord_webhook_pending',
      help: 'Webhook deliveries waiting to be sent, and of those how many failed at least once (database, at scrape time).',
      labelNames: ['state'] as const,
      registers,
    }),
    webhookDead: new Gauge({
      name: 'accord_webhook_dead',
      help: 'Webhook deliveries given up after their last try, still retained (database, at scrape time).',
      registers,
    }),
    webhookLag: new Gauge({
      name: 'accord_webhook_lag_seconds',
      help: 'Age of the oldest webhook delivery still waiting, 0 when none (database, at scrape time).',
      registers,
    }),
  };
}

// One set per process: Next's bundle and scripts/http-server.ts each load
// their own copy of this module (server/platform/health.ts has the same note).
const METRICS = Symbol.for('accord.metrics');
type MetricsHolder = { [METRICS]?: Metrics };

export function getMetrics(): Metrics {
  const holder = globalThis as MetricsHolder;
  return (holder[METRICS] ??= createMetrics());
}

/** Reads the database-side gauges: one statement, each part on an index. */
export async function collectDatabaseGauges(metrics: Metrics = getMetrics()): Promise<void> {
  const { rows } = await getPool().query<{
    backlog: string;
    pending: string;
    retrying: string;
    dead: string;
    lag: number;
  }>(
    `SELECT
       (SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL) AS backlog,
       (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS pending,
       (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts > 0) AS retrying,
       (SELECT count(*) FROM webhook_deliveries WHERE status = 'dead') AS dead,
       COALESCE(EXTRACT(EPOCH FROM now() - (SELECT min(created_at) FROM webhook_deliveries WHERE status = 'pending')), 0)::float8 AS lag`,
  );
  const row = rows[0]!;
  metrics.outboxBacklog.set(Number(row.backlog));
  metrics.webhookPending.set({ state: 'all' }, Number(row.pending));
  metrics.webhookPending.set({ state: 'retrying' }, Number(row.retrying));
  metrics.webhookDead.set(Number(row.dead));
  metrics.webhookLag.set(row.lag);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether the request may read the metrics: "Authorization: Bearer <METRICS_TOKEN>",
 * compared in constant time. Without METRICS_TOKEN: open in development,
 * absent (null, answered 404) in production.
 */
export function metricsAccess(authorization: string | null): 'open' | 'allowed' | 'denied' | null {
  const { METRICS_TOKEN: token, production } = getEnv();
  if (!token) return production ? null : 'open';
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) ? 'allowed' : 'denied';
}

// Request labels: the page or route template Next.js built ("/api/v1/customers/[id]"),
// so the series stay few whatever paths clients invent.
type RoutesManifest = {
  staticRoutes?: Array<{ page: string; regex: string }>;
  dynamicRoutes?: Array<{ page: string; regex: string }>;
};

/** The route label of a request URL: a template of the build, "/_next" for its assets, else "other". */
export function routeLabeler(manifest: RoutesManifest | null): (url: string | undefined) => string {
  // Static routes first, so /account/profile wins over a dynamic /account/[x].
  const routes = [...(manifest?.staticRoutes ?? []), ...(manifest?.dynamicRoutes ?? [])].map((route) => ({
    page: route.page,
    regex: new RegExp(route.regex),
  }));
  return (url) => {
    const pathname = (url ?? '/').split(/[?#]/, 1)[0] || '/';
    if (pathname.startsWith('/_next/')) return '/_next';
    return routes.find((route) => route.regex.test(pathname))?.page ?? 'other';
  };
}

function readRoutesManifest(): RoutesManifest | null {
  for (const file of ['.next/routes-manifest.json', '.next/dev/routes-manifest.json']) {
    try {
      return JSON.parse(fs.readFileSync(path.join(process.cwd(), file), 'utf8')) as RoutesManifest;
    } catch {
      // Not built there: try the next place; without any, every label is "other".
    }
  }
  return null;
}

let label: ((url: string | undefined) => string) | undefined;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Counts one answered request (scripts/graceful-http-server.ts calls it when the response closes). */
export function recordRequest(url: string | undefined, method: string | undefined, status: number, ms: number): void {
  const metrics = getMetrics();
  label ??= routeLabeler(readRoutesManifest());
  const route = label(url);
  const verb = method && METHODS.has(method) ? method : 'other';
  metrics.httpRequests.inc({ route, method: verb, status: String(status) });
  if (route.startsWith('/api/')) metrics.apiDuration.observe({ route, method: verb }, ms / 1000);
}

/** Each try of a queued mail (server/mail/queue.ts), inline or by the worker. */
export function countMail(purpose: string, outcome: 'sent' | 'retry' | 'failed' | 'dropped'): void {
  getMetrics().mails.inc({ purpose, outcome });
}

/** One sign-in code checked (server/identity/sign-in.ts verifyCode). */
export function countSignInCode(outcome: string): void {
  getMetrics().signInCodes.inc({ outcome });
}
