import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createDatabase, databaseUrl, dropDatabase, repoRoot } from '../../scripts/db/postgres';
import { diffMigrationsToSchema, migrateDev } from '../../scripts/db/schema-engine';

const migrationsDir = path.join(repoRoot, 'prisma', 'migrations');

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the test database', () => {
  it('is this worker’s own copy of the migrated template', async () => {
    const url = process.env.DATABASE_URL!;
    expect(new URL(url).pathname).toBe(`/accord_test_w${process.env.VITEST_POOL_ID ?? '1'}`);

    expect(await query(url, 'SELECT count(*)::int AS n FROM customers')).toEqual([{ n: 0 }]);

    const committed = fs
      .readdirSync(migrationsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const applied = await query<{ migration_name: string }>(
      url,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    );
    expect(applied.map((row) => row.migration_name)).toEqual(committed);
  });
});

// Each diff replays the migrations in a shadow database: seconds on a loaded machine.
describe('diffMigrationsToSchema', { timeout: 60_000 }, () => {
  it('finds nothing to do between the committed migrations and schema.prisma', async () => {
    expect(await diffMigrationsToSchema(process.env.MIGRATION_DATABASE_URL!)).toBe('');
  });

  describe('with a schema that adds a model', () => {
    let work: string;
    let paths: { schemaPath: string; migrationsDir: string };
    const scratch = `accord_test_scratch_${process.env.VITEST_POOL_ID ?? '1'}`;
    const adminUrl = inject('testDatabaseAdminUrl');

    beforeAll(() => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-migrations-'));
      paths = { schemaPath: path.join(work, 'schema.prisma'), migrationsDir: path.join(work, 'migrations') };
      fs.cpSync(migrationsDir, paths.migrationsDir, { recursive: true });
      const schema = fs.readFileSync(path.join(repoRoot, 'prisma', 'schema.prisma'), 'utf8');
      fs.writeFileSync(
        paths.schemaPath,
        `${schema}\nmodel Probe {\n  id   Int    @id\n  note String\n\n  @@map("probes")\n}\n`,
      );
    });

    afterAll(async () => {
      fs.rmSync(work, { recursive: true, force: true });
      await dropDatabase(adminUrl, scratch);
    });

    it('returns the SQL that creates it', async () => {
      const sql = await diffMigrationsToSchema(process.env.MIGRATION_DATABASE_URL!, paths);
      expect(sql).toContain('CREATE TABLE "probes"');
      expect(sql).not.toContain('customers');
    });

    it('migrateDev writes a migration for it and applies it; afterwards they agree', async () => {
      await dropDatabase(adminUrl, scratch);
      await createDatabase(adminUrl, scratch);
      const url = databaseUrl(adminUrl, scratch);

      const created = await migrateDev(url, 'add probes', paths);
      expect(created).toMatch(/\/\d{14}_add_probes$/);
      expect(fs.readFileSync(path.join(created!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "probes"');
      expect(await query(url, 'SELECT count(*)::int AS n FROM probes')).toEqual([{ n: 0 }]);

      expect(await diffMigrationsToSchema(url, paths)).toBe('');
      expect(await migrateDev(url, 'nothing', paths)).toBeNull();
    });
  });
});
