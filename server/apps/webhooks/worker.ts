import 'server-only';

import pg from 'pg';

import { getEnv } from '@/server/platform/env';
import { errorMessage, getLogger } from '@/server/platform/log';
import { getMetrics } from '@/server/platform/metrics';
import { OUTBOX_CHANNEL } from '@/server/platform/outbox';

import {
  attemptDelivery,
  claimDeliveries,
  deliverySettings,
  type Backoff,
  type DeliveryOutcome,
  type DeliverySettings,
} from './delivery';
import { dispatchOutbox } from './dispatch';

// The webhook worker: wakes on the outbox's NOTIFY (a dedicated connection,
// reconnected when lost) or every pollIntervalMs, fans new events out, then
// sends what is due, a few at a time. Any number of workers may run on one
// database (in each app instance, or `npm run worker`).
// docs/decisions/018-webhook-delivery.md

export type WebhookWorkerLog = {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

export type WebhookWorkerOptions = {
  /** Aborting it stops the worker, as stop() does. */
  signal?: AbortSignal;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Fallback poll, and the pace of retries (default 1000 ms). */
  pollIntervalMs?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  leaseMarginMs?: number;
  backoff?: Partial<Backoff>;
  /** Called after each try is recorded (tests, metrics). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
  /** Default: the process's logger (component "webhooks"). Nothing logged names a customer or a secret. */
  log?: WebhookWorkerLog;
};

export type WebhookWorker = {
  /** Resolves once LISTEN is in place the first time (never, if the database stays unreachable). */
  listening: Promise<void>;
  /** Stops claiming, lets the deliveries in flight finish (each bounded by the timeout), closes the listener. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
};

const DISPATCH_BATCH = 200;

function processLog(): WebhookWorkerLog {
  const log = getLogger().child({ component: 'webhooks' });
  return { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) };
}

const messageOf = errorMessage;

/** Resolves after ms, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * LISTENs on the outbox channel with its own connection (a pooled one could
 * not keep it), calling onWake for each notification and after each
 * (re)connection, since events may have been committed while not listening.
 */
async function listen(
  databaseUrl: string,
  onWake: () => void,
  onListening: () => void,
  signal: AbortSignal,
  log: WebhookWorkerLog,
): Promise<void> {
  let retryMs = 500;
  while (!signal.aborted) {
    const client = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'accord-webhooks',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    let connected = false;
    let lost = false;
    const closed = new Promise<void>((resolve) => {
      client.on('error', (error) => {
        // Before LISTEN is in place, the failed connect() below says it.
        if (connected && !signal.aborted) log.warn(`listener connection lost: ${messageOf(error)}`);
        lost = true;
        resolve();
      });
      client.on('end', () => resolve());
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    client.on('notification', onWake);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      connected = true;
      if (retryMs > 500 || lost) log.info('listener reconnected');
      retryMs = 500;
      onListening();
      onWake();
      await closed;
    } catch (error) {
      if (!signal.aborted) log.warn(`listener could not connect: ${messageOf(error)}`);
    } finally {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
    if (signal.aborted) break;
    await pause(retryMs, signal);
    retryMs = Math.min(retryMs * 2, 10_000);
  }
}

/** Starts a worker in this process. It logs its errors and never throws them at the caller. */
export function startWebhookWorker(options: WebhookWorkerOptions = {}): WebhookWorker {
  const log = options.log ?? processLog();
  const settings: DeliverySettings = deliverySettings({
    timeoutMs: options.timeoutMs,
    maxAttempts: options.maxAttempts,
    leaseMarginMs: options.leaseMarginMs,
    backoff: options.backoff,
  });
  const leaseMs = settings.timeoutMs + settings.leaseMarginMs;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1_000);

  const stopping = new AbortController();
  const onExternalAbort = () => stopping.abort();
  if (options.signal?.aborted) stopping.abort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const { signal } = stopping;

  // Wake-ups while a pass runs are kept, not lost: the loop runs again at once.
  let woken = false;
  let wakeWaiter: (() => void) | null = null;
  const wake = () => {
    woken = true;
    wakeWaiter?.();
  };
  const nextWake = () =>
    new Promise<void>((resolve) => {
      if (woken || signal.aborted) return resolve();
      const timer = setTimeout(finish, pollIntervalMs);
      function finish() {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        wakeWaiter = null;
        resolve();
      }
      wakeWaiter = finish;
      signal.addEventListener('abort', finish, { once: true });
    });

  let resolveListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => (resolveListening = resolve));
  const listener = listen(getEnv().DATABASE_URL, wake, () => resolveListening(), signal, log);

  const inFlight = new Set<Promise<void>>();
  function send(delivery: Awaited<ReturnType<typeof claimDeliveries>>[number]) {
    const task = attemptDelivery(delivery, settings)
      .then((outcome) => {
        getMetrics().webhookTries.inc({ result: outcome.result });
        if (outcome.internalError !== undefined)
          log.error(`delivery ${outcome.id} to ${outcome.appName}: ${messageOf(outcome.internalError)}`);
        if (outcome.result === 'dead')
          log.error(
            `delivery ${outcome.id} (${outcome.type}) to ${outcome.appName} is dead after ${outcome.attempt} tries: ${outcome.error}`,
          );
        else if (outcome.result === 'retry')
          log.warn(
            `delivery ${outcome.id} (${outcome.type}) to ${outcome.appName} failed (${outcome.error}), try ${outcome.attempt + 1} at ${outcome.nextAttemptAt?.toISOString()}`,
          );
        options.onDelivery?.(outcome);
      })
      // The lease expires and another pass sends it again.
      .catch((error: unknown) => log.error(`delivery ${delivery.id} to ${delivery.app.name}: ${messageOf(error)}`))
      .finally(() => {
        inFlight.delete(task);
        wake();
      });
    inFlight.add(task);
  }

  async function pass() {
    for (;;) {
      const { events } = await dispatchOutbox({ limit: DISPATCH_BATCH });
      if (events < DISPATCH_BATCH || signal.aborted) break;
    }
    if (signal.aborted) return;
    const claimed = await claimDeliveries(concurrency - inFlight.size, leaseMs);
    for (const delivery of claimed) send(delivery);
  }

  const done = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      woken = false;
      try {
        await pass();
        failures = 0;
      } catch (error) {
        failures += 1;
        log.error(`pass failed: ${messageOf(error)}`);
        await pause(Math.min(30_000, pollIntervalMs * 2 ** Math.min(failures, 5)), signal);
      }
      await nextWake();
    }
    await Promise.allSettled([...inFlight]);
    await listener;
    options.signal?.removeEventListener('abort', onExternalAbort);
  })();

  return {
    listening,
    done,
    stop: async () => {
      stopping.abort();
      await done;
    },
  };
}
