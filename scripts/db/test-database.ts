// Databases for the test suites: one server per run, a template database
// migrated once, and a fresh copy of it per test worker (CREATE DATABASE … TEMPLATE).
import path from 'node:path';
import pg from 'pg';
import { createDatabase, databaseUrl, dropDatabase, repoRoot, startEmbeddedPostgres } from './postgres';
import { migrateDeploy, type MigrationPaths } from './schema-engine';

export const TEMPLATE_DATABASE = 'accord_test_template';
/** Worker databases are named accord_test_w<pool id>. */
export const WORKER_DATABASE_PREFIX = 'accord_test_w';
export const DEFAULT_TEST_EMBEDDED_PORT = 54330;

// Any constant will do: it only has to be the same for every test run.
const RUN_LOCK_KEY = 0x61636364; // "accd"
/** Set, to the admin URL, in a process holding the lock (and so in its children). */
const RUN_LOCK_ENV = 'ACCORD_TEST_RUN_LOCK';

export type TestServer = { adminUrl: string; stop(): Promise<void> };

/**
 * The server the tests use: TEST_DATABASE_URL (a URL of any PostgreSQL >= 15
 * whose user may create databases; test databases are created next to the one
 * it names), else an embedded server with data in <repo>/.data/test-postgres
 * (port TEST_EMBEDDED_PG_PORT, default 54330), reused when already running.
 *
 * Test runs sharing a server take turns: the returned server holds an advisory
 * lock until stop(), so a second run waits instead of dropping the first run's
 * databases. Child processes (Vitest spawned by scripts/test.ts) inherit it.
 */
export async function prepareTestServer(opts: { log?: (msg: string) => void } = {}): Promise<TestServer> {
  const log = opts.log ?? ((msg: string) => console.log(msg));
  let adminUrl: string;
  let stopServer = async () => {};
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    const port = Number(process.env.TEST_EMBEDDED_PG_PORT ?? DEFAULT_TEST_EMBEDDED_PORT);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(repoRoot, '.data', 'test-postgres'),
      port,
      log,
      // Test data is disposable: skip the disk flushes that make CREATE DATABASE slow.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    adminUrl = server.adminUrl;
    stopServer = () => server.stop();
  }

  // A run started by a process that already holds the lock (scripts/test.ts
  // prepares the server, then spawns Vitest) must not wait for its own parent.
  const heldByParent = process.env[RUN_LOCK_ENV] === adminUrl;
  const lock = new pg.Client({ connectionString: adminUrl });
  lock.on('error', () => {});
  try {
    if (!heldByParent) {
      await lock.connect();
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RUN_LOCK_KEY]);
      if (!rows[0]?.ok) {
        log('another test run is using the test database server; waiting for it to finish…');
        await lock.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
      }
      process.env[RUN_LOCK_ENV] = adminUrl;
    }
    await dropLeftoverWorkerDatabases(adminUrl);
  } catch (error) {
    await lock.end().catch(() => {});
    await stopServer();
    throw error;
  }

  return {
    adminUrl,
    async stop() {
      if (!heldByParent) {
        delete process.env[RUN_LOCK_ENV];
        await lock.end().catch(() => {});
      }
      await stopServer();
    },
  };
}

/** Worker databases of an earlier run (crashed, or run with more workers). */
async function dropLeftoverWorkerDatabases(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  let names: string[];
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname ~ '^accord_test_w[0-9]+$'",
      [WORKER_DATABASE_PREFIX],
    );
    names = rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
  for (const name of names) await dropDatabase(adminUrl, name);
}

/** (Re)create accord_test_template and apply the migrations to it. Returns its URL. */
export async function createTemplateDatabase(adminUrl: string, paths?: MigrationPaths): Promise<string> {
  await dropDatabase(adminUrl, TEMPLATE_DATABASE);
  await createDatabase(adminUrl, TEMPLATE_DATABASE);
  const url = databaseUrl(adminUrl, TEMPLATE_DATABASE);
  await migrateDeploy(url, paths);
  return url;
}

/** A fresh copy of the template under `name` (dropped first if it exists). Returns its URL. */
export async function createDatabaseFromTemplate(adminUrl: string, name: string): Promise<string> {
  await dropDatabase(adminUrl, name);
  await createDatabase(adminUrl, name, { template: TEMPLATE_DATABASE });
  return databaseUrl(adminUrl, name);
}
