// `npm run bench -- --personalization` (docs/decisions/035-personalization.md §8 step 18, the
// audience part): 100,000 customers with preferences and signals (INSERT … SELECT
// generate_series) in their own database (accord_bench_personalization: the main bench keeps its
// 10,000), then the console's estimate, countAudience, for 50 rules from the shared arbitrary
// (fixed seed) and for one 10-condition rule, median of 5 — the goal is under 1 s. Then the
// personalized /account and the decision API under load (personalization-pages.ts).
import os from 'node:os';

import fc from 'fast-check';

import { ruleLeaves } from '../../lib/personalization/rule-schema';
import { ruleArbitrary } from '../../tests/personalization-arbitraries';
import { migrateDeploy } from '../db/schema-engine';
import { onCleanup } from './cleanup';
import { prepareDatabase } from './database';
import { BENCH_AUTH_SECRET, fail, log } from './options';

const DATABASE = 'accord_bench_personalization';
const CUSTOMERS = 100_000;
const SIGNALS_PER_CUSTOMER = 8;
const RULES = 50;
const SEED = 35;
const GOAL_MS = 1_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function benchPersonalization(): Promise<void> {
  const db = await prepareDatabase(DATABASE);
  const applied = await migrateDeploy(db.url);
  log(applied.length ? `applied ${applied.length} migration(s)` : 'migrations up to date');
  process.env.DATABASE_URL = db.url;
  process.env.AUTH_SECRET = BENCH_AUTH_SECRET;
  const { ensureConsentPurposes } = await import('../../server/consent/purposes');
  const { applyPersonalizationReferenceData } = await import('../../server/personalization/reference');
  const { AudienceTimeoutError, countAudience } = await import('../../server/personalization/audience');
  const seed = await import('./seed');
  const { getPool } = await import('../../server/platform/db');
  onCleanup(() => getPool().end());

  await ensureConsentPurposes();
  await applyPersonalizationReferenceData();
  const seeded = await seed.ensureBenchCustomers(CUSTOMERS);
  log(`${seeded.total} customers in the database${seeded.added ? ` (${seeded.added} added)` : ''}`);
  await seedPersonalization(getPool());

  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const rules = fc.sample(ruleArbitrary({ maxConditions: 10 }), { seed: SEED, numRuns: RULES });
  const timings: number[] = [];
  let timedOut = 0;
  for (const rule of rules) {
    const started = performance.now();
    try {
      await countAudience(rule, {});
    } catch (error) {
      if (!(error instanceof AudienceTimeoutError)) throw error;
      timedOut++;
    }
    timings.push(performance.now() - started);
  }
  // The first generated 10-condition rule that splits the granted customers (one matching nobody
  // or everybody says little).
  const candidates = fc.sample(
    ruleArbitrary({ maxConditions: 10 }).filter((r) => ruleLeaves(r).length === 10),
    { seed: SEED, numRuns: 30 },
  );
  let tenConditions: (typeof candidates)[number] | undefined;
  for (const rule of candidates) {
    const { matching, granted } = await countAudience(rule, {});
    if (matching > granted / 100 && matching < granted - granted / 100) {
      tenConditions = rule;
      break;
    }
  }
  if (!tenConditions) fail('no generated 10-condition rule splits the customers: change the seed');
  const runs: number[] = [];
  let estimate: Awaited<ReturnType<typeof countAudience>> | undefined;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    estimate = await countAudience(tenConditions!, {});
    runs.push(performance.now() - started);
  }
  const ten = median(runs);
  console.log(`
Personalization: countAudience on ${seeded.total} customers (${SIGNALS_PER_CUSTOMER} signals each), seed ${SEED}
  load average before: ${loadBefore}, after: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (${os.cpus().length} cores)
  ${RULES} generated rules (1–10 conditions): median ${median(timings).toFixed(0)} ms, p95 ${percentile(timings, 0.95).toFixed(0)} ms, max ${Math.max(...timings).toFixed(0)} ms, ${timedOut} past the 5 s limit
  a 10-condition rule, median of 5: ${ten.toFixed(0)} ms (goal < ${GOAL_MS} ms: ${ten < GOAL_MS ? 'met' : 'NOT met'})
    population ${estimate!.population}, granted ${estimate!.granted}, matching ${estimate!.matching}, reachable ${estimate!.reachable}
    rule: ${JSON.stringify(tenConditions)}`);

  const { benchPersonalizedPages } = await import('./personalization-pages');
  const missed = (await benchPersonalizedPages(db, seeded.total)) + (ten < GOAL_MS ? 0 : 1);
  if (missed > 0) process.exitCode = 1;
}

/**
 * Preferences, home addresses, personalization answers and signals for every bench customer,
 * once (a database that has signals is left as it is). Deterministic: setseed, hashes of ids.
 */
async function seedPersonalization(pool: import('pg').Pool): Promise<void> {
  const { CATEGORIES, STORES } = await import('../../server/personalization/reference');
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_signals');
  if (rows[0]!.n > 0) {
    log(`${rows[0]!.n} signals already there`);
    return;
  }
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT setseed(0.35)');
    // b: each customer with a stable number 0–99 (70 % granted, 10 % refused, 20 % never asked).
    const b = `(SELECT c.id, abs(hashtext(c.id::text)) % 100 AS n FROM customers c)`;
    await client.query(`
      INSERT INTO consent_receipts (id, customer_id, subject_pseudonym, purpose_key, purpose_version, granted,
                                    collection_method, channel, jurisdiction, policy_url)
      SELECT gen_random_uuid(), b.id, encode(sha256(convert_to(b.id::text, 'UTF8')), 'hex'), 'personalization',
             (SELECT max(v.version) FROM consent_purpose_versions v WHERE v.purpose_key = 'personalization'),
             b.n < 70, 'seed', 'seed', 'EU', '/legal/privacy'
      FROM ${b} b WHERE b.n < 80`);
    await client.query(`
      INSERT INTO addresses (id, customer_id, kind, line1, postal_code, city, country, updated_at)
      SELECT gen_random_uuid(), b.id, 'home', '1 rue de Rivoli', '75001', 'Paris',
             (ARRAY['FR', 'FR', 'BE', 'CA'])[1 + b.n % 4], now()
      FROM ${b} b WHERE b.n % 2 = 0
      ON CONFLICT DO NOTHING`);
    await client.query(
      `
      INSERT INTO customer_preferences (customer_id, name, value, channel)
      SELECT c.id, 'interest', k.key, 'portal' FROM customers c CROSS JOIN categories k WHERE random() < 0.25
      UNION ALL
      SELECT c.id, 'channel', ch, 'portal' FROM customers c CROSS JOIN unnest(ARRAY['email', 'sms', 'push', 'post']) ch
      WHERE random() < 0.3
      UNION ALL
      SELECT c.id, 'favouriteStore', ($1::text[])[1 + floor(random() * cardinality($1::text[]))::int], 'portal'
      FROM customers c WHERE random() < 0.4`,
      [STORES.map((s) => s.key)],
    );
    await client.query(
      `INSERT INTO customer_signals (customer_id, kind, category, occurred_at)
       SELECT b.id, (ARRAY['viewed', 'viewed', 'viewed', 'cart-added', 'cart-removed', 'purchased'])[1 + floor(random() * 6)::int],
              ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int],
              (now() AT TIME ZONE 'UTC') - random() * interval '95 days'
       FROM ${b} b CROSS JOIN generate_series(1, $1) WHERE b.n < 70 OR b.n >= 80`,
      [SIGNALS_PER_CUSTOMER, CATEGORIES.map((c) => c.key)],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  await pool.query('ANALYZE customers, consent_receipts, addresses, customer_preferences, customer_signals');
  log(`personalization data seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
