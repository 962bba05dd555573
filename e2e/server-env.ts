/**
 * The environment server/ code needs when a test worker imports it (server/platform/env.ts
 * validates it on first use). Imported first by e2e/fixtures.ts, before any server/ module.
 */
import { TEST_AUTH_SECRET } from './test-secrets';

const databaseUrl = process.env.E2E_DATABASE_URL;
if (!databaseUrl) {
  throw new Error('E2E_DATABASE_URL is not set: run `npm run test:e2e`, which prepares the database and the build');
}
// The app's database and secret: fixtures write rows the app must accept as its own.
process.env.DATABASE_URL = databaseUrl;
if (process.env.E2E_MIGRATION_DATABASE_URL) process.env.MIGRATION_DATABASE_URL = process.env.E2E_MIGRATION_DATABASE_URL;

/**
 * A statement as the test server's superuser on the e2e database: clean-ups the
 * app's runtime role may not do (DROP ROLE of an app's database role).
 */
export async function adminQuery(sql: string): Promise<void> {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error('E2E_ADMIN_DATABASE_URL is not set: run `npm run test:e2e`, which prepares the database');
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
process.env.AUTH_SECRET = TEST_AUTH_SECRET;
