import 'server-only';

import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

import { getPool } from './db';
import { getEnv } from './env';
import { ipBucket } from './request-context';

// Counters live in PostgreSQL (table rate_limits, created by our migrations),
// so every app instance behind a load balancer shares them.
const WINDOW_S = 15 * 60;

const DAY_S = 24 * 60 * 60;

type LimiterName =
  | 'sendPerEmail'
  | 'sendPerIp'
  | 'verifyPerEmail'
  | 'verifyPerIp'
  | 'passkeyPerIp'
  | 'passkeyPerCredential'
  | 'tokenPerClient'
  | 'tokenPerIp'
  | 'signalsPerCustomer'
  | 'estimatePerMember'
  | 'supportCodePerCustomer'
  | 'supportRequestPerAgent';
type BudgetName = 'codeAttempts' | 'codeLockouts' | 'supportCodeFailures';

const globalForLimits = globalThis as unknown as {
  accordLimiters?: Record<LimiterName | BudgetName, RateLimiterPostgres>;
};

function limiters(): Record<LimiterName | BudgetName, RateLimiterPostgres> {
  if (globalForLimits.accordLimiters) return globalForLimits.accordLimiters;
  const env = getEnv();
  const make = (keyPrefix: string, points: number, duration = WINDOW_S) =>
    new RateLimiterPostgres({
      storeClient: getPool(),
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration,
      clearExpiredByTimeout: false,
    });
  globalForLimits.accordLimiters = {
    sendPerEmail: make('send:email', env.RATE_LIMIT_SEND_PER_EMAIL),
    sendPerIp: make('send:ip', env.RATE_LIMIT_SEND_PER_IP),
    verifyPerEmail: make('verify:email', env.RATE_LIMIT_VERIFY_PER_EMAIL),
    verifyPerIp: make('verify:ip', env.RATE_LIMIT_VERIFY_PER_IP),
    passkeyPerIp: make('passkey:ip', env.RATE_LIMIT_PASSKEY_PER_IP),
    passkeyPerCredential: make('passkey:credential', env.RATE_LIMIT_PASSKEY_PER_CREDENTIAL),
    tokenPerClient: make('token:client', env.RATE_LIMIT_TOKEN_PER_CLIENT),
    tokenPerIp: make('token:ip', env.RATE_LIMIT_TOKEN_PER_IP),
    // Per app and customer (key "<app id>:<customer id>"), beside the app's own limit: one
    // busy shopper cannot flood their history, and one app cannot spend another's budget.
    signalsPerCustomer: make('signals:app-customer', env.RATE_LIMIT_SIGNALS_PER_CUSTOMER, 60),
    // Each audience estimate is a counting statement over every customer (ADR 035 §6).
    estimatePerMember: make('estimate:staff', 30, 60),
    // Support (docs/decisions/036-support-console.md): a customer shows a few codes an hour;
    // an agent sends a few verification requests a minute.
    supportCodePerCustomer: make('support-code:customer', 10, 60 * 60),
    supportRequestPerAgent: make('support-request:staff', 10, 60),
    // 10 failed codes (or unknown emails) per agent per hour: with 5 tries per code, an agent
    // cannot walk through the code space of the customers they can name.
    supportCodeFailures: make('support-code-fail:staff', 10, 60 * 60),
    codeAttempts: make('code:email', env.RATE_LIMIT_CODE_FAILURES, DAY_S),
    codeLockouts: make('code-lock:email', Number.MAX_SAFE_INTEGER, 30 * DAY_S),
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
      // An IPv6 client owns at least a /64: counting single addresses would give it 2^64 buckets.
      await all[name].consume(name.endsWith('PerIp') ? ipBucket(key) : key);
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

// The code budget of an address (docs/decisions/025-guessing-budgets-and-passkey-assurance.md):
// RATE_LIMIT_CODE_FAILURES code attempts without a success in 24 hours, then
// codes are refused for a day, twice as long for each pause in the last 30
// days. Links, passkeys and identity providers are not counted.
const MAX_CODE_PAUSE_S = 30 * DAY_S;

/** Whether codes are paused for this address, without spending anything. */
export async function codePause(email: string): Promise<LimitResult> {
  const { codeAttempts } = limiters();
  const res = await codeAttempts.get(email);
  return res && res.consumedPoints > codeAttempts.points && res.msBeforeNext > 0
    ? { ok: false, retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000) }
    : { ok: true };
}

/** Spends one code attempt of the address's budget; refused once it is spent. */
export async function spendCodeAttempt(email: string): Promise<LimitResult> {
  const { codeAttempts, codeLockouts } = limiters();
  try {
    await codeAttempts.consume(email);
    return { ok: true };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    // Only the one request that crossed the line (the upsert is atomic) sets the pause.
    if (rejection.consumedPoints !== codeAttempts.points + 1) {
      return { ok: false, retryAfterSeconds: Math.ceil(rejection.msBeforeNext / 1000) };
    }
    const lockouts = await codeLockouts.penalty(email, 1);
    const seconds = Math.min(DAY_S * 2 ** (lockouts.consumedPoints - 1), MAX_CODE_PAUSE_S);
    await codeAttempts.block(email, seconds);
    return { ok: false, retryAfterSeconds: seconds };
  }
}

/** A sign-in proved the address: its code budget is whole again. */
export async function refillCodeBudget(email: string): Promise<void> {
  await limiters().codeAttempts.delete(email);
}

/** Whether this agent may still try a support code (fewer than 10 failures this hour), without spending. */
export async function supportCodeFailurePause(staffId: string): Promise<LimitResult> {
  const { supportCodeFailures } = limiters();
  const res = await supportCodeFailures.get(staffId);
  return res && res.consumedPoints >= supportCodeFailures.points && res.msBeforeNext > 0
    ? { ok: false, retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000) }
    : { ok: true };
}

/** Counts one failed support code (or unknown email) against the agent's hourly budget. */
export async function spendSupportCodeFailure(staffId: string): Promise<void> {
  try {
    await limiters().supportCodeFailures.consume(staffId);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
  }
}

// Per-app API limits are counted by the app check itself, in one statement
// (server/apps/oauth.ts authenticateApp), in the same table.
