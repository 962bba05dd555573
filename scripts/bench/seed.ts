// The bench database's content: 10,000 bench customers, the session the
// signed-in pages use, the apps the API and webhook measures register.
// It imports server/ (run under `tsx --conditions=react-server`), and server/
// reads its environment once, on first use: main.ts imports this module only
// after setting DATABASE_URL and AUTH_SECRET.
import { randomUUID } from 'node:crypto';

import { createApp, findApp, type AppInput, type CreatedApp } from '../../server/apps/registry';
import { getCurrentTerms } from '../../server/consent/consent';
import { sha256, subjectPseudonym } from '../../server/platform/crypto';
import { getPool } from '../../server/platform/db';

export const BENCH_EMAIL_DOMAIN = 'bench.example.test';
const FIRST_NAMES = ['Alex', 'Camille', 'Jordan', 'Léa', 'Sam', 'Noah', 'Inès', 'Hugo', 'Emma', 'Louis'];
const BATCH = 2_500;

function benchEmail(index: number): string {
  return `bench-${index}@${BENCH_EMAIL_DOMAIN}`;
}

function benchFirstName(index: number): string {
  return FIRST_NAMES[index % FIRST_NAMES.length] ?? 'Alex';
}

/**
 * At least `total` customers in the database: onboarded bench customers
 * (bench-N@bench.example.test), each with its terms-of-service receipt like
 * createCustomer() writes, bulk-inserted in batches. Idempotent: only the
 * missing ones are added. Needs ensureConsentPurposes() first.
 */
export async function ensureBenchCustomers(total: number): Promise<{ total: number; added: number }> {
  const pool = getPool();
  const count = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM customers')).rows[0]?.n ?? 0);
  const before = await count();
  if (before >= total) return { total: before, added: 0 };

  const terms = await getCurrentTerms();
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM customers WHERE email LIKE $1`, [
    `bench-%@${BENCH_EMAIL_DOMAIN}`,
  ]);
  // Bench customers are numbered from 1 without gaps; continue after the last.
  let next = Number(rows[0]?.n ?? 0) + 1;
  let missing = total - before;
  let added = 0;
  while (missing > 0) {
    const size = Math.min(BATCH, missing);
    const ids: string[] = [];
    const emails: string[] = [];
    const firstNames: string[] = [];
    for (let i = 0; i < size; i++, next++) {
      ids.push(randomUUID());
      emails.push(benchEmail(next));
      firstNames.push(benchFirstName(next));
    }
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO customers (id, email, email_verified, first_name, locale, onboarded_at, updated_at)
         SELECT id, email, now(), first_name, 'en', now(), now()
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, email, first_name)
         ON CONFLICT (email) DO NOTHING
         RETURNING id`,
        [ids, emails, firstNames],
      );
      const newIds = inserted.rows.map((r) => r.id);
      await client.query(
        `INSERT INTO consent_receipts (id, customer_id, subject_pseudonym, purpose_key, purpose_version, granted,
                                       collection_method, channel, jurisdiction, policy_url)
         SELECT gen_random_uuid(), customer_id, pseudonym, $3, $4, true, 'seed', 'seed', 'EU', $5
         FROM unnest($1::uuid[], $2::text[]) AS t(customer_id, pseudonym)`,
        [newIds, newIds.map((id) => subjectPseudonym(id)), terms.key, terms.version, terms.policyUrl],
      );
      await client.query('COMMIT');
      added += newIds.length;
      missing -= newIds.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  await pool.query('ANALYZE customers, consent_receipts');
  return { total: await count(), added };
}

/** A bench customer by number: the one whose session the benchmark uses. */
export async function getBenchCustomer(index: number): Promise<{ id: string; firstName: string; email: string }> {
  const email = benchEmail(index);
  const { rows } = await getPool().query<{ id: string; first_name: string | null }>(
    'SELECT id, first_name FROM customers WHERE email = $1',
    [email],
  );
  const row = rows[0];
  if (!row) throw new Error(`bench customer ${email} is missing`);
  return { id: row.id, firstName: row.first_name ?? '', email };
}

/** Removes the sessions the benchmark created (by their cookie values). */
export async function endBenchSessions(sessionTokens: string[]): Promise<void> {
  if (sessionTokens.length === 0) return;
  await getPool().query('DELETE FROM sessions WHERE session_token_hash = ANY($1::text[])', [sessionTokens.map(sha256)]);
}

/** Up to `count` bench customers' ids, in id order (random UUIDs: no pattern in the table). */
export async function listBenchCustomerIds(count: number): Promise<string[]> {
  const { rows } = await getPool().query<{ id: string }>(
    'SELECT id FROM customers WHERE email LIKE $1 ORDER BY id LIMIT $2',
    [`bench-%@${BENCH_EMAIL_DOMAIN}`, count],
  );
  return rows.map((r) => r.id);
}

/**
 * Removes a bench app (by name) with what it left: its deliveries go with it
 * (ON DELETE CASCADE), its reads in the access log are deleted here, so the
 * bench database does not grow run after run. Its outbox events stay: they
 * belong to the customers' history.
 */
export async function removeBenchApp(name: string): Promise<void> {
  const app = await findApp(name);
  if (!app) return;
  const pool = getPool();
  await pool.query("DELETE FROM data_access_log WHERE accessor_type = 'app' AND accessor_id = $1", [app.clientId]);
  await pool.query('DELETE FROM apps WHERE id = $1::uuid', [app.id]);
}

/** A bench app registered afresh (an earlier run's, crashed or not, removed first): its secrets are new. */
export async function replaceBenchApp(input: AppInput & { name: string }): Promise<CreatedApp> {
  await removeBenchApp(input.name);
  return createApp(input);
}
