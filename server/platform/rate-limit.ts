import 'server-only';

import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

import { getPool } from './db';
import { getEnv } from './env';

// Counters live in PostgreSQL (table rate_limits, created by our migrations),
// so every app instance behind a load balancer shares them.
const WINDOW_S = 15 * 60;

type LimiterName = 'sendPerEmail' | 'sendPerIp' | 'verifyPerEmail' | 'verifyPerIp';

const globalForLimits = globalThis as unknown as { accordLimiters?: Record<LimiterName, RateLimiterPostgres> };

function limiters(): Record<LimiterName, RateLimiterPostgres> {
  if (globalForLimits.accordLimiters) return globalForLimits.accordLimiters;
  const env = getEnv();
  const make = (keyPrefix: string, points: number) =>
    new RateLimiterPostgres({
      storeClient: getPool(),
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration: WINDOW_S,
      clearExpiredByTimeout: false,
    });
  globalForLimits.accordLimiters = {
    sendPerEmail: make('send:email', env.RATE_LIMIT_SEND_PER_EMAIL),
    sendPerIp: make('send:ip', env.RATE_LIMIT_SEND_PER_IP),
    verifyPerEmail: make('verify:email', env.RATE_LIMIT_VERIFY_PER_EMAIL),
    verifyPerIp: make('verify:ip', env.RATE_LIMIT_VERIFY_PER_IP),
  };
  return globalForLimits.accordLimiters;
}

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Consumes one point from each named limiter; refused as soon as one is out.
 * A store error is rethrown: failing open would hand brute force a switch.
 */
export async function consume(checks: Array<[LimiterName, string]>): Promise<LimitResult> {
  const all = limiters();
  let retryAfterMs = 0;
  for (const [name, key] of checks) {
    try {
      await all[name].consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        retryAfterMs = Math.max(retryAfterMs, rejection.msBeforeNext);
        continue;
      }
      throw rejection;
    }
  }
  return retryAfterMs > 0 ? { ok: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { ok: true };
}

// Per-app API limits: one counter per app and minute, in PostgreSQL like the
// others. Each app has its own limit (apps.rate_limit_per_minute), read in the
// same request by the app check, so the counter is taken without a limit of
// its own (in parallel with that check) and compared with the app's limit.
const APP_COUNTER_CEILING = 1_000_000_000;
const globalForAppLimits = globalThis as unknown as { accordAppCounter?: RateLimiterPostgres };

/** Counts one API request of this app; `within(limit)` then says whether it is allowed. */
export async function countAppRequest(appId: string): Promise<{ within(perMinute: number): LimitResult }> {
  globalForAppLimits.accordAppCounter ??= new RateLimiterPostgres({
    storeClient: getPool(),
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: 'app',
    points: APP_COUNTER_CEILING,
    duration: 60,
    clearExpiredByTimeout: false,
  });
  const res = await globalForAppLimits.accordAppCounter.consume(appId);
  return {
    within: (perMinute) =>
      res.consumedPoints <= perMinute
        ? { ok: true }
        : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) },
  };
}
