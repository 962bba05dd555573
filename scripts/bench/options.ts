// The command line of `npm run bench` (main.ts has the usage) and what every
// module of the benchmark shares: its constants, its log and its errors.
import path from 'node:path';
import { parseArgs } from 'node:util';

import { repoRoot } from '../db/postgres';

/** A failure the benchmark explains itself: printed without a stack. */
export class BenchError extends Error {}

export function fail(message: string): never {
  throw new BenchError(message);
}

export const log = (msg: string) => console.log(`[bench] ${msg}`);

export const BENCH_DATABASE = 'accord_bench';
export const CUSTOMERS = 10_000;
/** The customer whose session the signed-in pages (Accord's and the bare dynamic page) use. */
export const SESSION_CUSTOMER = 1;
/** A fixed secret for the benchmark's server only; it signs nothing that leaves this machine. */
export const BENCH_AUTH_SECRET = 'accord-bench-only-secret-not-for-production-0123456789';
export const SESSION_COOKIE = 'authjs.session-token';
/** The apps this benchmark registers, and removes again, in the bench database. */
export const API_APP = 'bench-api';
export const WEBHOOK_APP = 'bench-webhooks';
/** Requests per minute: far above what a run sends, so the API is measured, not its 429s. */
export const API_RATE_LIMIT = 1_000_000;
/** Changes made before the measured ones, not counted: pool connections, JIT, the worker's first passes. */
export const WEBHOOK_WARMUP_CHANGES = 50;

/** The bare Next.js app the figures are compared with (bench/baseline/). */
export const baselineDir = path.join(repoRoot, 'bench', 'baseline');
/** The one next binary both apps are built and started with: the same Next.js version. */
export const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
/** Files the benchmark writes: the ids the API targets walk through, CPU profiles. */
export const dataDir = path.join(repoRoot, '.data', 'bench');

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    port: { type: 'string', default: '3200' },
    verbose: { type: 'boolean', default: false },
    profile: { type: 'string' },
    only: { type: 'string' },
    nice: { type: 'string' },
    webhooks: { type: 'string', default: '200' },
    'webhook-rate': { type: 'string', default: '50' },
    personalization: { type: 'boolean', default: false },
    oidc: { type: 'boolean', default: false },
  },
});

function positiveInt(name: 'rounds' | 'duration' | 'warmup' | 'connections' | 'port' | 'webhook-rate'): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value <= 0) fail(`--${name} must be a positive integer, got "${values[name]}"`);
  return value;
}

function webhookChanges(): number {
  const value = Number(values.webhooks);
  if (!Number.isInteger(value) || value < 0 || value > 5_000)
    fail(`--webhooks must be an integer from 0 to 5000, got "${values.webhooks}"`);
  return value;
}

function only(): 'js' | null {
  if (values.only === undefined) return null;
  if (values.only !== 'js') fail(`--only must be "js", got "${values.only}"`);
  return 'js';
}

function nice(): number | null {
  if (values.nice === undefined) return null;
  const value = Number(values.nice);
  if (!Number.isInteger(value) || value < -20 || value > 19)
    fail(`--nice must be an integer from -20 to 19, got "${values.nice}"`);
  return value;
}

export const options = {
  /** Reuse the existing builds (each app is built anyway when it has none). */
  noBuild: values['no-build'],
  rounds: positiveInt('rounds'),
  durationS: positiveInt('duration'),
  warmupS: positiveInt('warmup'),
  connections: positiveInt('connections'),
  /** The first port tried for Accord's server; the bare app takes the next free one. */
  port: positiveInt('port'),
  verbose: values.verbose,
  /** A target's key: load it under Node's CPU profiler instead of the rounds. */
  profile: values.profile,
  /** 'js': measure the first-load JavaScript only (no warm-up, rounds or webhooks). */
  only: only(),
  nice: nice(),
  webhookChanges: webhookChanges(),
  webhookRate: positiveInt('webhook-rate'),
  /** The audience count of personalization rules on 100,000 customers (scripts/bench/personalization.ts). */
  personalization: values.personalization,
  /** The OpenID provider's token endpoint and userinfo against the bare route (scripts/bench/oidc.ts). */
  oidc: values.oidc,
};
