import { createHash } from 'node:crypto';

import { Pool } from 'pg';

// One pg Pool per process, sized like Accord's (server/platform/db.ts: max 10), on the
// database `npm run bench` gives in DATABASE_URL, in UTC like Accord's (its
// `timestamp` columns hold UTC). No ORM, no validation layer.
const globalForPool = globalThis as unknown as { baselinePool?: Pool };

function pool(): Pool {
  globalForPool.baselinePool ??= new Pool({
    connectionString: process.env.DATABASE_URL,
    max: 10,
    options: '-c TimeZone=UTC',
  });
  return globalForPool.baselinePool;
}

/** The session's customer's first name: one single-row SELECT through the unique index on the token's hash. */
export async function getSessionFirstName(sessionToken: string | undefined): Promise<string | null> {
  if (!sessionToken) return null;
  const { rows } = await pool().query<{ first_name: string | null }>({
    name: 'session-first-name',
    text:
      'SELECT c.first_name FROM sessions s JOIN customers c ON c.id = s.user_id ' +
      'WHERE s.session_token_hash = $1 AND s.expires > now()',
    values: [createHash('sha256').update(sessionToken).digest('hex')],
  });
  return rows[0]?.first_name ?? null;
}

export type CustomerRow = {
  id: string;
  version: number;
  updated_at: Date;
  first_name: string | null;
  last_name: string | null;
  email: string;
  email_verified: boolean;
};

/** A customer's row by id: one single-row SELECT through the primary key. */
export async function getCustomer(id: string): Promise<CustomerRow | null> {
  const { rows } = await pool().query<CustomerRow>({
    name: 'customer-by-id',
    text:
      'SELECT id, version, updated_at, first_name, last_name, email, email_verified IS NOT NULL AS email_verified ' +
      'FROM customers WHERE id = $1::uuid',
    values: [id],
  });
  return rows[0] ?? null;
}
