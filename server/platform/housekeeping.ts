import 'server-only';

import type { Logger } from 'pino';

import { getPool } from './db';
import { getEnv } from './env';
import { getLogger } from './log';

// Deletes what has outlived its use, on a schedule, in whichever worker holds
// the lock (`npm run worker`, or an app instance's in-process worker): expired
// challenges, links, sessions (customers' and staff's), staff invitations and rate-limit counters; sent webhook rows and
// their outbox events; finished mail_queue rows; access-log rows past ACCESS_LOG_RETENTION_DAYS; behaviour signals past
// SIGNAL_RETENTION_DAYS, expired Idempotency-Keys and the OpenID provider's expired rows. Only SQL
// on tables: platform imports no domain. README, "Data retention";
// docs/decisions/024-health-shutdown-and-housekeeping.md

/** Rows per DELETE: each statement holds its row locks for milliseconds, whatever the backlog. */
const BATCH = 1_000;
const HOUSEKEEPING_LOCK = 0x61636b68; // "achk"
const DAY_MS = 24 * 60 * 60 * 1000;
// Expired rows stay a day: a late click on a link or code still finds its row
// and gets "expired", not "unknown".
const EXPIRED_GRACE_MS = DAY_MS;

type Purge = {
  table: string;
  /** A condition on the table's own columns; $1 is the cut-off. */
  where: string;
  cutoff: (now: Date, env: ReturnType<typeof getEnv>) => Date | number;
};

// Order matters: sent deliveries before the outbox events they point at.
const PURGES: Purge[] = [
  {
    table: 'sign_in_challenges',
    where: 'expires_at < $1',
    cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS),
  },
  {
    table: 'webauthn_challenges',
    where: 'expires_at < $1',
    cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS),
  },
  {
    table: 'pending_identity_links',
    where: 'expires_at < $1',
    cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS),
  },
  { table: 'sessions', where: 'expires < $1', cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS) },
  // Console sessions past their 12 h, or idle past 30 min (server/staff/sessions.ts): dead either way.
  {
    table: 'staff_sessions',
    where: "expires_at < $1 OR last_active_at < $1::timestamp - interval '30 minutes'",
    cutoff: (now) => now,
  },
  // Used and revoked invitations go with the expired ones, a day after their expiry.
  {
    table: 'staff_invitations',
    where: 'expires_at < $1',
    cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS),
  },
  // rate-limiter-flexible's counters: `expire` in epoch milliseconds, past it the counter is void.
  { table: 'rate_limits', where: 'expire < $1', cutoff: (now) => now.getTime() },
  {
    table: 'webhook_deliveries',
    where: "status IN ('delivered', 'dead') AND created_at < $1",
    cutoff: (now, env) => new Date(now.getTime() - env.OUTBOX_RETENTION_DAYS * DAY_MS),
  },
  {
    // Deleting an event deletes its deliveries (ON DELETE CASCADE): never one still pending.
    table: 'outbox_events',
    where: `dispatched_at < $1 AND NOT EXISTS (
      SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = outbox_events.id AND d.status = 'pending')`,
    cutoff: (now, env) => new Date(now.getTime() - env.OUTBOX_RETENTION_DAYS * DAY_MS),
  },
  // Their payload is already erased; the row (purpose, tries, times) is kept as long as the outbox's.
  {
    table: 'mail_queue',
    where: "status <> 'pending' AND finished_at < $1",
    cutoff: (now, env) => new Date(now.getTime() - env.OUTBOX_RETENTION_DAYS * DAY_MS),
  },
  {
    table: 'data_access_log',
    where: 'occurred_at < $1',
    cutoff: (now, env) => new Date(now.getTime() - env.ACCESS_LOG_RETENTION_DAYS * DAY_MS),
  },
  // Signals past SIGNAL_RETENTION_DAYS count for nothing: gone, so a lower retention acts at
  // once (docs/decisions/035-personalization.md §1).
  {
    table: 'customer_signals',
    where: 'occurred_at <= $1',
    cutoff: (now, env) => new Date(now.getTime() - env.SIGNAL_RETENTION_DAYS * DAY_MS),
  },
  // An Idempotency-Key is replayed for 24 hours (server/apps/api/idempotency.ts).
  { table: 'api_idempotency_keys', where: 'expires_at < $1', cutoff: (now) => now },
  // The OpenID provider's codes, tokens, grants, sessions and interactions past their expiry are
  // void (oidc-provider refuses them); so are undelivered back-channel logouts past their day.
  { table: 'oidc_payloads', where: 'expires_at < $1', cutoff: (now) => now },
  // A consent answer serves one interaction, which lives an hour at most.
  {
    table: 'oidc_consent_choices',
    where: 'created_at < $1',
    cutoff: (now) => new Date(now.getTime() - EXPIRED_GRACE_MS),
  },
];

export type HousekeepingResult = { ran: true; removed: Record<string, number> } | { ran: false };

/**
 * One run: each table in batches. Returns { ran: false } when another process
 * holds the lock (it is doing the same work). Running it twice is harmless.
 */
export async function runHousekeeping(now = new Date()): Promise<HousekeepingResult> {
  const env = getEnv();
  const client = await getPool().connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [HOUSEKEEPING_LOCK]);
    if (!rows[0]?.ok) return { ran: false };
    try {
      const removed: Record<string, number> = {};
      for (const purge of PURGES) {
        const cutoff = purge.cutoff(now, env);
        let count = 0;
        for (;;) {
          // The outer WHERE repeats the condition: a row changed since the
          // subselect read it (a session extended) is checked again, and kept.
          const result = await client.query(
            `DELETE FROM ${purge.table} WHERE ctid IN (
               SELECT ctid FROM ${purge.table} WHERE ${purge.where} LIMIT ${BATCH}
             ) AND ${purge.where}`,
            [cutoff],
          );
          count += result.rowCount ?? 0;
          if ((result.rowCount ?? 0) < BATCH) break;
        }
        removed[purge.table] = count;
      }
      return { ran: true, removed };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [HOUSEKEEPING_LOCK]);
    }
  } finally {
    client.release();
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs housekeeping a minute after the start, then every
 * HOUSEKEEPING_INTERVAL_MINUTES. Logs table names and counts only. The returned
 * function stops the schedule and waits for a run in progress.
 */
export function startHousekeeping(options: { firstRunDelayMs?: number; log?: Logger } = {}): () => Promise<void> {
  const log = (options.log ?? getLogger()).child({ component: 'housekeeping' });
  const intervalMs = getEnv().HOUSEKEEPING_INTERVAL_MINUTES * 60_000;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = () => {
    running = runHousekeeping()
      .then((result) => {
        if (result.ran) log.info({ removed: result.removed }, 'housekeeping run');
      })
      .catch((error: unknown) => log.error(`housekeeping run failed: ${messageOf(error)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs).unref();
      });
  };
  timer = setTimeout(run, options.firstRunDelayMs ?? 60_000).unref();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
