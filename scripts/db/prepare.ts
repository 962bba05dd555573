// The database step of every start (`npm start`, `npm run dev`, `npm run worker`,
// `npm run db:migrate`): pending migrations as the owner role, the runtime role's
// grants, then the reference data, under one lock so that instances starting
// together take turns. docs/decisions/021-reference-data-and-production-defaults.md,
// docs/decisions/033-staff-console.md (section 4, the two roles)
import pg from 'pg';

import { ensureDatabase } from './postgres';
import { applyRuntimeGrants, assertAuditProtected } from './roles';
import { migrateDeploy, type MigrationPaths } from './schema-engine';

// Any constant, the same in every release.
const PREPARE_LOCK = 0x61636d67; // "acmg"

/** Needs DATABASE_URL set to `runtimeUrl` (server/ reads it) and the react-server condition. */
export async function prepareDatabase(
  opts: MigrationPaths & { migrationUrl: string; runtimeUrl: string; log?: (msg: string) => void },
): Promise<{ migrations: string[]; referenceData: string[] }> {
  const { migrationUrl, runtimeUrl } = opts;
  const log = opts.log ?? ((msg: string) => console.log(msg));
  const lock = new pg.Client({ connectionString: migrationUrl, application_name: 'accord migrations' });
  lock.on('error', () => {});
  await lock.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PREPARE_LOCK]);
    if (!rows[0]?.ok) {
      log('[db] another instance is migrating this database; waiting for it…');
      await lock.query('SELECT pg_advisory_lock($1)', [PREPARE_LOCK]);
    }
    const migrations = await migrateDeploy(migrationUrl, opts);
    log(
      migrations.length
        ? `[db] applied ${migrations.length} migration(s): ${migrations.join(', ')}`
        : '[db] migrations up to date',
    );
    await applyRuntimeGrants(migrationUrl, runtimeUrl);
    await assertAuditProtected(runtimeUrl, { log });
    const { applyReferenceData } = await import('../../server/reference-data');
    const referenceData = await applyReferenceData();
    log(
      referenceData.length ? referenceData.map((line) => `[db] ${line}`).join('\n') : '[db] reference data up to date',
    );
    return { migrations, referenceData };
  } finally {
    // Ending the session releases the lock.
    await lock.end().catch(() => {});
  }
}

/**
 * What every operator CLI (`npm run apps`, `staff`, `content`) runs its command in: the database
 * (embedded or DATABASE_URL) migrated and its reference data applied, as the server's start does;
 * then the Prisma client and pool closed and an embedded server stopped, whatever happened.
 */
export async function withCliDatabase(run: () => Promise<void>): Promise<void> {
  const db = await ensureDatabase({ log: () => {} });
  process.env.DATABASE_URL = db.databaseUrl;
  try {
    await prepareDatabase({ migrationUrl: db.migrationUrl, runtimeUrl: db.databaseUrl, log: () => {} });
    await run();
  } finally {
    const { prisma, getPool } = await import('../../server/platform/db');
    await prisma.$disconnect();
    await getPool()
      .end()
      .catch(() => undefined);
    await db.stop();
  }
}
