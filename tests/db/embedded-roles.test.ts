// The embedded default's two roles (docs/decisions/033-staff-console.md, section 4):
// ensureDatabase makes accord_owner and accord_app, and adopts once a database the
// superuser made before the split.
import fs from 'node:fs';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  APP_DATABASE,
  databaseUrl,
  ensureDatabase,
  repoRoot,
  RUNTIME_PASSWORD_FILE,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
  type EmbeddedServer,
} from '../../scripts/db/postgres';
import { applyRuntimeGrants, auditProtectionProblems } from '../../scripts/db/roles';
import { migrateDeploy } from '../../scripts/db/schema-engine';
import { freePort } from '../../scripts/free-port';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

async function codeOf(url: string, sql: string): Promise<string> {
  return query(url, sql).then(
    () => '',
    (error: { code?: string }) => error.code ?? String(error),
  );
}

const dataDir = path.join(repoRoot, '.data', 'test-tmp', `roles-${process.pid}-${Date.now()}`);

describe('the embedded database’s roles', { timeout: 120_000 }, () => {
  let server: EmbeddedServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    const port = await freePort();
    server = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
    delete process.env.DATABASE_URL;
    delete process.env.MIGRATION_DATABASE_URL;
    process.env.EMBEDDED_PG_DATA = dataDir;
    process.env.EMBEDDED_PG_PORT = String(port);
  });

  afterAll(async () => {
    process.env = saved;
    await server?.stop();
    await stopEmbeddedPostgres(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adopts a database the superuser made before the split, then runs the app as a role that cannot change the schema', async () => {
    // A data folder of an earlier release: everything migrated and owned by the superuser.
    const legacy = databaseUrl(server.adminUrl, APP_DATABASE);
    await query(server.adminUrl, `CREATE DATABASE ${APP_DATABASE}`);
    await migrateDeploy(legacy);

    const db = await ensureDatabase({ log: () => {} });
    expect(new URL(db.databaseUrl).username).toBe('accord_app');
    expect(new URL(db.migrationUrl).username).toBe('accord_owner');
    for (const file of ['accord-owner-password', 'accord-app-password'])
      expect(fs.statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600);

    const owners = await query<{ owner: string; n: number }>(
      legacy,
      `SELECT pg_get_userbyid(relowner) AS owner, count(*)::int AS n FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'shared', 'shared_internal')
       GROUP BY 1`,
    );
    expect(owners.map((o) => o.owner)).toEqual(['accord_owner']);
    const functions = await query<{ owner: string }>(
      legacy,
      `SELECT DISTINCT pg_get_userbyid(p.proowner) AS owner FROM pg_proc p
       JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'shared_internal')`,
    );
    expect(functions).toEqual([{ owner: 'accord_owner' }]);

    // The owner migrates on; the runtime gets its grants.
    expect(await migrateDeploy(db.migrationUrl)).toEqual([]);
    await applyRuntimeGrants(db.migrationUrl, db.databaseUrl);
    expect(await codeOf(db.databaseUrl, 'SELECT count(*) FROM customers')).toBe('');
    expect(await codeOf(db.databaseUrl, 'UPDATE _prisma_migrations SET rolled_back_at = NULL')).toBe('42501');
    expect(await codeOf(db.databaseUrl, 'CREATE TABLE public.stash (v text)')).toBe('42501');
    expect(await auditProtectionProblems(db.databaseUrl)).toEqual([]);

    // The next start finds everything in place: same passwords.
    expect(await ensureDatabase({ log: () => {} })).toMatchObject({
      databaseUrl: db.databaseUrl,
      migrationUrl: db.migrationUrl,
    });

    // A lost password file: a new password, the old one refused.
    fs.rmSync(path.join(dataDir, RUNTIME_PASSWORD_FILE));
    const again = await ensureDatabase({ log: () => {} });
    expect(again.databaseUrl).not.toBe(db.databaseUrl);
    expect(await codeOf(again.databaseUrl, 'SELECT 1')).toBe('');
    expect(await codeOf(db.databaseUrl, 'SELECT 1')).toBe('28P01');
  });
});
