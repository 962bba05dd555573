// Two database roles (docs/decisions/033-staff-console.md, section 4): the owner runs
// the migrations and owns every object; the runtime (app, worker, CLIs' server code)
// gets only what applyRuntimeGrants gives it, so it can never rewrite the audit trail.
// docs/deployment.md "Database roles"
import pg from 'pg';

/** Tables the runtime may read and append to, never change: their rows are evidence. */
export const APPEND_ONLY_TABLES = ['audit_log', 'content_revisions'] as const;

type Log = (msg: string) => void;

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The runtime's rights, from the objects the migrations left: run after them on
 * every start, so a new table is covered before the app reads it. No role name
 * appears in a migration: shadow databases, templates and other servers replay them
 * unchanged. Nothing to do when both URLs name one user (a developer's one-user setup).
 */
export async function applyRuntimeGrants(ownerUrl: string, runtimeUrl: string): Promise<void> {
  const runtime = userOf(runtimeUrl);
  await withClient(ownerUrl, async (client) => {
    const { rows } = await client.query<{ owner: string }>('SELECT current_user AS owner');
    if (rows[0]!.owner === runtime) return;
    const r = pg.escapeIdentifier(runtime);
    await client.query('BEGIN');
    try {
      await client.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
      for (const table of APPEND_ONLY_TABLES) {
        const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`public.${table}`]);
        if (!exists.rows[0].ok) continue;
        await client.query(`REVOKE ALL ON public.${pg.escapeIdentifier(table)} FROM ${r}`);
        await client.query(`GRANT SELECT, INSERT ON public.${pg.escapeIdentifier(table)} TO ${r}`);
      }
      // Read by the health check (server/platform/health.ts); written by migrations only.
      await client.query(`REVOKE ALL ON public._prisma_migrations FROM ${r}`);
      await client.query(`GRANT SELECT ON public._prisma_migrations TO ${r}`);
      await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
      await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${r}`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/** What lets the runtime role of `runtimeUrl` change or delete audit rows; empty when nothing does. */
export async function auditProtectionProblems(runtimeUrl: string): Promise<string[]> {
  return withClient(runtimeUrl, async (client) => {
    const { rows } = await client.query<{
      role: string;
      superuser: boolean;
      createrole: boolean;
      owner: string;
      in_owner: boolean;
      audit_owner: string | null;
      in_audit_owner: boolean | null;
      changes: string[] | null;
    }>(
      `SELECT current_user AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
              pg_get_userbyid(d.datdba) AS owner, pg_has_role(current_user, d.datdba, 'MEMBER') AS in_owner,
              pg_get_userbyid(t.relowner) AS audit_owner, pg_has_role(current_user, t.relowner, 'MEMBER') AS in_audit_owner,
              CASE WHEN t.oid IS NOT NULL THEN array_remove(ARRAY[
                CASE WHEN has_table_privilege(t.oid, 'UPDATE') THEN 'UPDATE' END,
                CASE WHEN has_table_privilege(t.oid, 'DELETE') THEN 'DELETE' END,
                CASE WHEN has_table_privilege(t.oid, 'TRUNCATE') THEN 'TRUNCATE' END], NULL) END AS changes
       FROM pg_roles r
       JOIN pg_database d ON d.datname = current_database()
       LEFT JOIN pg_class t ON t.oid = to_regclass('public.audit_log')
       WHERE r.rolname = current_user`,
    );
    const row = rows[0]!;
    const problems: string[] = [];
    if (row.superuser) problems.push(`"${row.role}" is a superuser`);
    // On PostgreSQL 15 CREATEROLE can grant itself membership of the owner.
    else if (row.createrole) problems.push(`"${row.role}" has CREATEROLE`);
    if (row.in_owner) problems.push(`"${row.role}" is, or is a member of, the database's owner "${row.owner}"`);
    if (row.in_audit_owner && row.audit_owner !== row.owner)
      problems.push(`"${row.role}" is, or is a member of, the owner of audit_log "${row.audit_owner}"`);
    if (row.changes?.length) problems.push(`"${row.role}" has ${row.changes.join(', ')} on audit_log`);
    return problems;
  });
}

/**
 * The runtime (DATABASE_URL) must not be able to rewrite the audit trail: fatal in
 * production; a warning otherwise (a developer's one-user URL; the audit table's
 * trigger still guards the rows).
 */
export async function assertAuditProtected(
  runtimeUrl: string,
  opts: { production?: boolean; log?: Log } = {},
): Promise<void> {
  const problems = await auditProtectionProblems(runtimeUrl);
  if (problems.length === 0) return;
  const production = opts.production ?? process.env.NODE_ENV === 'production';
  const message =
    `the app's database role (DATABASE_URL) could change or delete audit rows: ${problems.join('; ')}. ` +
    'Run the app as a role of its own and the migrations as the owner (MIGRATION_DATABASE_URL): ' +
    'docs/deployment.md "Database roles"';
  if (production) throw new Error(message);
  (opts.log ?? ((msg: string) => console.warn(msg)))(`[db] warning: ${message}`);
}

/**
 * Gives `owner` every object of `database` that the bootstrap superuser made before
 * the role split (REASSIGN OWNED BY is refused for that user). Run as a superuser.
 */
export async function adoptObjects(adminDatabaseUrl: string, owner: string, log: Log): Promise<void> {
  const o = pg.escapeIdentifier(owner);
  await withClient(adminDatabaseUrl, async (client) => {
    await client.query('BEGIN');
    try {
      const database = await client.query<{ name: string }>('SELECT current_database() AS name');
      await client.query(`ALTER DATABASE ${pg.escapeIdentifier(database.rows[0]!.name)} OWNER TO ${o}`);
      const schemas = ['public', 'shared', 'shared_internal'];
      const { rows } = await client.query<{ sql: string }>(
        `SELECT format('ALTER SCHEMA %I OWNER TO ${o}', n.nspname) AS sql
           FROM pg_namespace n WHERE n.nspname = ANY($1)
         UNION ALL
         -- Tables take their serial and identity sequences along; those cannot be altered alone.
         SELECT format('ALTER %s %s OWNER TO ${o}',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.oid::regclass)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND NOT (c.relkind = 'S' AND EXISTS (
                  SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
         UNION ALL
         SELECT format('ALTER ROUTINE %s OWNER TO ${o}', p.oid::regprocedure)
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
         UNION ALL
         -- Enums, domains and stand-alone composite types; a table's row type goes with its table.
         SELECT format('ALTER TYPE %s OWNER TO ${o}', t.oid::regtype)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = ANY($1)
            AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
        [schemas],
      );
      for (const { sql } of rows) await client.query(sql);
      // PostgreSQL 16+: CREATEROLE alters only the roles it administers (grant-db's app roles).
      const version = await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
      const hasApps = await client.query<{ ok: boolean }>("SELECT to_regclass('public.apps') IS NOT NULL AS ok");
      if (version.rows[0]!.v >= 160000 && hasApps.rows[0]!.ok) {
        const apps = await client.query<{ db_role: string }>(
          `SELECT a.db_role FROM public.apps a JOIN pg_roles r ON r.rolname = a.db_role WHERE a.db_role IS NOT NULL`,
        );
        for (const { db_role } of apps.rows) {
          await client.query(`GRANT ${pg.escapeIdentifier(db_role)} TO ${o} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
        }
      }
      await client.query('COMMIT');
      log(`[db] gave the role "${owner}" the ${rows.length} objects of the database made before the role split`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}
