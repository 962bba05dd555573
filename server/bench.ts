import 'server-only';
import { randomUUID } from 'node:crypto';
import { getCurrentTerms, subjectPseudonym } from './consent';
import { sha256 } from './crypto';
import { getPool, prisma } from './db';
import { getEnv } from './env';

// The benchmark's server side (scripts/bench.ts, app/bench/): its routes, its
// seed and its session. Nothing here runs unless BENCH_ROUTES=1 or the bench
// script calls it.

/** /bench/* answers only in a server started by the benchmark. */
export function benchRoutesEnabled(): boolean {
  return getEnv().BENCH_ROUTES === '1';
}

/**
 * The minimal dynamic page's only query: one single-row SELECT through the
 * unique index on the session token hash, straight on the pg pool (no Prisma,
 * no Auth.js). This is the floor any signed-in page costs.
 */
export async function getBenchSessionFirstName(sessionToken: string | undefined): Promise<string | null> {
  if (!sessionToken) return null;
  const { rows } = await getPool().query<{ first_name: string | null }>({
    name: 'bench-session-first-name',
    text:
      'SELECT c.first_name FROM sessions s JOIN customers c ON c.id = s.user_id ' +
      'WHERE s.session_token_hash = $1 AND s.expires > now()',
    values: [sha256(sessionToken)],
  });
  return rows[0]?.first_name ?? null;
}

/**
 * The same lookup the way Auth.js's Prisma adapter does it (getSessionAndUser:
 * findUnique with the whole user included), without Auth.js around it. Only
 * for the benchmark's breakdown (--breakdown): what Prisma adds to the floor.
 */
export async function getBenchSessionFirstNameViaPrisma(sessionToken: string | undefined): Promise<string | null> {
  if (!sessionToken) return null;
  const row = await prisma.session.findUnique({ where: { sessionToken: sha256(sessionToken) }, include: { user: true } });
  return row && row.expires > new Date() ? row.user.firstName : null;
}

export const BENCH_EMAIL_DOMAIN = 'bench.example.test';
const FIRST_NAMES = ['Alex', 'Camille', 'Jordan', 'Léa', 'Sam', 'Noah', 'Inès', 'Hugo', 'Emma', 'Louis'];
const BATCH = 2_500;

export function benchEmail(index: number): string {
  return `bench-${index}@${BENCH_EMAIL_DOMAIN}`;
}

export function benchFirstName(index: number): string {
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
  const count = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM customers')).rows[0]?.n ?? 0);
  const before = await count();
  if (before >= total) return { total: before, added: 0 };

  const terms = await getCurrentTerms();
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM customers WHERE email LIKE $1`,
    [`bench-%@${BENCH_EMAIL_DOMAIN}`],
  );
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
export async function getBenchCustomer(index: number): Promise<{ id: string; firstName: string }> {
  const { rows } = await getPool().query<{ id: string; first_name: string | null }>(
    'SELECT id, first_name FROM customers WHERE email = $1',
    [benchEmail(index)],
  );
  const row = rows[0];
  if (!row) throw new Error(`bench customer ${benchEmail(index)} is missing`);
  return { id: row.id, firstName: row.first_name ?? '' };
}

/** Removes the sessions the benchmark created (by their cookie values). */
export async function endBenchSessions(sessionTokens: string[]): Promise<void> {
  if (sessionTokens.length === 0) return;
  await getPool().query('DELETE FROM sessions WHERE session_token_hash = ANY($1::text[])', [sessionTokens.map(sha256)]);
}
