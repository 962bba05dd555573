// Databases for the test suites: one server per run, a template database
// migrated once, and a fresh copy of it per test worker (CREATE DATABASE … TEMPLATE).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  repoRoot,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
  urlAs,
} from './postgres';
import { applyRuntimeGrants } from './roles';
import { migrateDeploy, type MigrationPaths } from './schema-engine';

export const TEMPLATE_DATABASE = 'accord_test_template';
/** Worker databases are named accord_test_w<pool id>. */
export const WORKER_DATABASE_PREFIX = 'accord_test_w';
/** Below the ephemeral port range, as DEFAULT_EMBEDDED_PORT (scripts/db/postgres.ts). */
export const DEFAULT_TEST_EMBEDDED_PORT = 25433;

// Any constant will do: it only has to be the same for every test run.
const RUN_LOCK_KEY = 0x61636364; // "accd"
/** Set, to the admin URL, in a process holding the lock (and so in its children). */
const RUN_LOCK_ENV = 'ACCORD_TEST_RUN_LOCK';
/** The test roles' passwords, set beside RUN_LOCK_ENV: a child run reuses its parent's roles. */
const ROLE_PASSWORDS_ENV = 'ACCORD_TEST_ROLE_PASSWORDS';

/** The tests' owner and runtime roles (docs/decisions/033-staff-console.md, section 4). */
export const TEST_OWNER_ROLE = 'accord_test_owner';
export const TEST_RUNTIME_ROLE = 'accord_test_app';

/**
 * URLs of the server's `postgres` database (switch it with databaseUrl()): the
 * superuser's for set-up and clean-ups, the owner's for migrations, the runtime's
 * for everything the app does.
 */
export type TestServerUrls = { adminUrl: string; ownerUrl: string; runtimeUrl: string };
export type TestServer = TestServerUrls & { stop(): Promise<void> };

/** One database's three URLs. */
export type TestDatabase = { adminUrl: string; migrationUrl: string; runtimeUrl: string };

/**
 * The server the tests use: TEST_DATABASE_URL (a URL of any PostgreSQL >= 15
 * whose user may create databases; test databases are created next to the one
 * it names), else an embedded server with data in <repo>/.data/test-postgres
 * (port TEST_EMBEDDED_PG_PORT, default 25433), reused when already running.
 *
 * Test runs sharing a server take turns: the returned server holds an advisory
 * lock until stop(), so a second run waits instead of dropping the first run's
 * databases. Child processes (Vitest spawned by scripts/test.ts) inherit it.
 */
export async function prepareTestServer(opts: { log?: (msg: string) => void } = {}): Promise<TestServer> {
  const log = opts.log ?? ((msg: string) => console.log(msg));
  for (let attempt = 1; ; attempt++) {
    try {
      return await prepareOnce(log);
    } catch (error) {
      // The run we waited for had started the embedded server and stopped it
      // when it finished: start (or reuse) it again.
      if (!(error instanceof ServerStoppedWhileWaiting) || attempt >= 5) throw error;
      log('the test run we waited for stopped the test database server; starting it again');
      await sleep(300);
    }
  }
}

class ServerStoppedWhileWaiting extends Error {}

async function prepareOnce(log: (msg: string) => void): Promise<TestServer> {
  let adminUrl: string;
  let ownServer: { stop(): Promise<void> } | null = null;
  let reusedServer = false;
  const dataDir = path.join(repoRoot, '.data', 'test-postgres');
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    const port = Number(process.env.TEST_EMBEDDED_PG_PORT ?? DEFAULT_TEST_EMBEDDED_PORT);
    const server = await startEmbeddedPostgres({
      dataDir,
      port,
      log,
      // Test data is disposable: skip the disk flushes that make CREATE DATABASE slow.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    adminUrl = server.adminUrl;
    if (server.reused) reusedServer = true;
    else ownServer = server;
  }

  // A run started by a process that already holds the lock (scripts/test.ts
  // prepares the server, then spawns Vitest) must not wait for its own parent.
  const heldByParent = process.env[RUN_LOCK_ENV] === adminUrl;
  let passwords: string | undefined;
  const lock = new pg.Client({
    connectionString: adminUrl,
    // Shown to a run waiting for the lock; the check interval makes the server
    // notice a waiting run that was killed, instead of granting it the lock later.
    application_name: `accord test run (PID ${process.pid}: ${path.basename(process.argv[1] ?? 'node')})`.slice(0, 63),
    options: '-c client_connection_check_interval=1000',
  });
  lock.on('error', () => {});
  try {
    if (!heldByParent) {
      await lock.connect();
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RUN_LOCK_KEY]);
      if (rows[0]?.ok && reusedServer) {
        // Running, yet no test run holds it: left behind by a run killed with -9.
        // Adopt it, so that it stops with this run.
        log('reusing a test database server left running by an earlier run; it stops when this run ends');
        ownServer = { stop: async () => void (await stopEmbeddedPostgres(dataDir)) };
      }
      if (!rows[0]?.ok) {
        const holder = await lock
          .query<{ name: string; since: Date }>(
            `SELECT a.application_name AS name, a.backend_start AS since FROM pg_locks l JOIN pg_stat_activity a USING (pid)
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1`,
            [RUN_LOCK_KEY],
          )
          .then(({ rows }) => (rows[0] ? ` (${rows[0].name || 'unknown'}, since ${rows[0].since.toISOString()})` : ''))
          .catch(() => '');
        log(`another test run holds the test database server${holder}; waiting for it to finish…`);
        try {
          await lock.query('SELECT pg_advisory_lock($1)', [RUN_LOCK_KEY]);
        } catch (error) {
          // 57P01: terminated by a shutdown; or the socket closed under us.
          const code = (error as { code?: string }).code;
          if (!ownServer && !process.env.TEST_DATABASE_URL && (code === '57P01' || !code)) {
            throw new ServerStoppedWhileWaiting((error as Error).message);
          }
          throw error;
        }
      }
      process.env[RUN_LOCK_ENV] = adminUrl;
    }
    await dropLeftoverWorkerDatabases(adminUrl);
    passwords = (heldByParent && process.env[ROLE_PASSWORDS_ENV]) || undefined;
    if (!passwords) {
      passwords = await createTestRoles(adminUrl);
      process.env[ROLE_PASSWORDS_ENV] = passwords;
    }
  } catch (error) {
    await lock.end().catch(() => {});
    await ownServer?.stop();
    throw error;
  }
  const [ownerPassword, runtimePassword] = passwords.split(':') as [string, string];

  return {
    adminUrl,
    ownerUrl: urlAs(adminUrl, TEST_OWNER_ROLE, ownerPassword),
    runtimeUrl: urlAs(adminUrl, TEST_RUNTIME_ROLE, runtimePassword),
    async stop() {
      // Stop the server before letting go of the lock: a run waiting for the
      // lock then sees the server go away and starts it again, instead of
      // starting its work on a server about to stop.
      await ownServer?.stop();
      if (!heldByParent) {
        delete process.env[RUN_LOCK_ENV];
        delete process.env[ROLE_PASSWORDS_ENV];
        await lock.end().catch(() => {});
      }
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

/**
 * The owner and runtime roles, with fresh passwords (`owner:runtime`), run
 * under the run lock. The owner has what the embedded default's has: CREATEROLE
 * for grant-db, CREATEDB, pg_signal_backend.
 */
async function createTestRoles(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const passwords: string[] = [];
    for (const [role, attributes] of [
      [TEST_OWNER_ROLE, 'NOSUPERUSER CREATEROLE CREATEDB'],
      [TEST_RUNTIME_ROLE, 'NOSUPERUSER NOCREATEROLE NOCREATEDB'],
    ] as const) {
      const password = randomBytes(24).toString('hex');
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount! > 0;
      await client.query(
        `${exists ? 'ALTER' : 'CREATE'} ROLE ${pg.escapeIdentifier(role)} WITH LOGIN ${attributes} PASSWORD ${pg.escapeLiteral(password)}`,
      );
      passwords.push(password);
    }
    await client.query(`GRANT pg_signal_backend TO ${pg.escapeIdentifier(TEST_OWNER_ROLE)}`);
    return passwords.join(':');
  } finally {
    await client.end();
  }
}

/** The three URLs of database `name` on the test server. */
export function testDatabase(server: TestServerUrls, name: string): TestDatabase {
  return {
    adminUrl: databaseUrl(server.adminUrl, name),
    migrationUrl: databaseUrl(server.ownerUrl, name),
    runtimeUrl: databaseUrl(server.runtimeUrl, name),
  };
}

/**
 * (Re)create accord_test_template owned by the owner role, migrate it as that
 * role and give the runtime its grants (copies keep table owners and ACLs).
 */
export async function createTemplateDatabase(server: TestServerUrls, paths?: MigrationPaths): Promise<TestDatabase> {
  await dropDatabase(server.adminUrl, TEMPLATE_DATABASE);
  await createDatabase(server.adminUrl, TEMPLATE_DATABASE, { owner: TEST_OWNER_ROLE });
  const template = testDatabase(server, TEMPLATE_DATABASE);
  await migrateDeploy(template.migrationUrl, paths);
  await applyRuntimeGrants(template.migrationUrl, template.runtimeUrl);
  return template;
}

/** A fresh copy of the template under `name` (dropped first if it exists). */
export async function createDatabaseFromTemplate(server: TestServerUrls, name: string): Promise<TestDatabase> {
  await dropDatabase(server.adminUrl, name);
  await createDatabase(server.adminUrl, name, { template: TEMPLATE_DATABASE, owner: TEST_OWNER_ROLE });
  return testDatabase(server, name);
}
