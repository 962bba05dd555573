import 'server-only';

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

import { Client, escapeIdentifier, escapeLiteral } from 'pg';

import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { getPool, prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { errorMessage, getLogger } from '@/server/platform/log';

import { findApp } from './registry';

// PostgreSQL login roles for apps that read the shared store in SQL
// (`npm run apps -- grant-db <app>`): they may read the consent-enforcing
// views of schema "shared" (migration 20261125182903_shared_consent_views)
// and nothing else. docs/decisions/017-consent-enforcing-database-views.md

export type DatabaseGrant = {
  role: string;
  /** Shown once; only its SCRAM verifier reaches PostgreSQL. */
  password: string;
  /** DATABASE_URL with this role's user name and password. */
  url: string;
};

/** Refused: a disabled app, or a DATABASE_URL user that may not manage roles. */
export class DatabaseRoleError extends Error {}

/** Connections one app role may hold at once. */
export const APP_ROLE_CONNECTION_LIMIT = 10;

const ROLE_LIMITS = `NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT ${APP_ROLE_CONNECTION_LIMIT}`;
// Only a superuser may name these in ALTER ROLE, even to turn them off (PostgreSQL 15).
const CREATE_ONLY = 'NOSUPERUSER NOREPLICATION NOBYPASSRLS';

/**
 * Role names are global to the PostgreSQL server while apps belong to one
 * database (tests run one database per worker; staging may share a server
 * with production): the app's name plus a random suffix, e.g. checkbook_3f9a2c.
 */
function newRoleName(appName: string): string {
  return `${appName.replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`;
}

/** Written on the role, so that only the role this database's app owns is ever altered. */
function roleComment(appId: string, database: string): string {
  return `Accord app ${appId} of database ${database} (npm run apps -- grant-db)`;
}

/**
 * The password as PostgreSQL stores it (RFC 5802/7677 SCRAM-SHA-256, the
 * format of pg_authid.rolpassword): sent instead of the password, which thus
 * never appears in the server's statement log, pg_stat_activity or
 * pg_stat_statements (psql's \password does the same). The password is
 * base64url, so SASLprep leaves it unchanged.
 */
function scramVerifier(password: string): string {
  const iterations = 4096;
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The app's current role, if it exists on this server and was made for this app and database. */
async function ownedRole(client: Sql, role: string | null, comment: string): Promise<string | null> {
  if (!role) return null;
  const { rows } = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
    [role],
  );
  return rows[0]?.comment === comment ? role : null;
}

type Sql = { query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }> };

/** In Prisma's transaction, so that the change and its audit row (writeAudit) commit together. */
async function inTransaction<T>(work: (client: Sql, tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await prisma.$transaction((tx) =>
      work({ query: async (text, values = []) => ({ rows: await tx.$queryRawUnsafe(text, ...values) }) }, tx),
    );
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new DatabaseRoleError(
        `the DATABASE_URL user may not manage roles (${(error as Error).message}): grant-db needs a user with CREATEROLE, or a superuser`,
      );
    }
    throw error;
  }
}

/**
 * An app given this server's address could log in as its superuser with the
 * password every default install has, and read past the consent-enforcing views:
 * then no address is handed out. (The embedded database generates its password.)
 */
export async function refuseKnownSuperuserPassword(databaseUrl = getEnv().DATABASE_URL): Promise<void> {
  const url = new URL(databaseUrl);
  url.username = 'postgres';
  url.password = 'postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  const accepted = await client.connect().then(
    () => true,
    () => false,
  );
  await client.end().catch(() => undefined);
  if (accepted) {
    throw new DatabaseRoleError(
      `the PostgreSQL server at ${url.host} accepts the superuser "postgres" with the password "postgres", so an app given its address could read past the consent-enforcing views. ` +
        "Give that user a strong password first (ALTER ROLE postgres PASSWORD '…', and update DATABASE_URL if it uses it), then run grant-db again",
    );
  }
}

/**
 * Creates the app's login role, or when it has one, gives it a new password
 * (the old one stops working) and LOGIN again. Either way the role may
 * connect to this database and SELECT from the views of schema "shared", and
 * nothing else: no table, no other schema, no role membership. Null for an
 * unknown app.
 */
export async function grantDatabaseRole(appNameOrClientId: string, actor: AuditActor): Promise<DatabaseGrant | null> {
  const app = await findApp(appNameOrClientId);
  if (!app) return null;
  await refuseKnownSuperuserPassword();
  const password = randomBytes(24).toString('base64url');
  const verifier = escapeLiteral(scramVerifier(password));

  const role = await inTransaction(async (client, tx) => {
    // One grant-db of this app at a time.
    const locked = await client.query<{ db_role: string | null; disabled: boolean; database: string }>(
      'SELECT db_role, disabled_at IS NOT NULL AS disabled, current_database()::text AS database FROM apps WHERE id = $1::uuid FOR UPDATE',
      [app.id],
    );
    const row = locked.rows[0];
    if (!row) return null;
    if (row.disabled)
      throw new DatabaseRoleError(`${app.name} is disabled: enable it before giving it database access`);
    const comment = roleComment(app.id, row.database);
    let role = await ownedRole(client, row.db_role, comment);
    if (role) {
      await client.query(`ALTER ROLE ${escapeIdentifier(role)} WITH LOGIN ${ROLE_LIMITS} PASSWORD ${verifier}`);
    } else {
      role = newRoleName(app.name);
      await client.query(
        `CREATE ROLE ${escapeIdentifier(role)} WITH LOGIN ${CREATE_ONLY} ${ROLE_LIMITS} PASSWORD ${verifier}`,
      );
      await client.query(`COMMENT ON ROLE ${escapeIdentifier(role)} IS ${escapeLiteral(comment)}`);
    }
    const r = escapeIdentifier(role);
    await client.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(row.database)} TO ${r}`);
    // No temporary functions to run on the views' values before they are logged
    // (the migration does it too; a database copied from a template lost it).
    await client.query(`REVOKE TEMPORARY ON DATABASE ${escapeIdentifier(row.database)} FROM PUBLIC`);
    await client.query(`GRANT TEMPORARY ON DATABASE ${escapeIdentifier(row.database)} TO CURRENT_USER`);
    await client.query(`GRANT USAGE ON SCHEMA shared TO ${r}`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA shared TO ${r}`);
    // A view's functions are checked against its reader; without USAGE on
    // shared_internal the role cannot call them other than through the views.
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA shared_internal TO ${r}`);
    await client.query('UPDATE apps SET db_role = $1, updated_at = now() WHERE id = $2::uuid', [role, app.id]);
    await writeAudit(tx, actor, {
      action: 'app.db-role.grant',
      objectId: app.clientId,
      details: { name: app.name, clientId: app.clientId, role },
    });
    return role;
  });
  if (!role) return null;

  const url = new URL(getEnv().DATABASE_URL);
  url.username = role;
  url.password = password;
  return { role, password, url: url.toString() };
}

/**
 * The app's role may no longer log in (a disabled app); its open sessions are
 * ended where this server lets us. The views already show a disabled app
 * nothing. `grant-db` gives it LOGIN again, with a new password. Null for an
 * unknown app; role null when it has none.
 */
export async function revokeDatabaseRole(
  appNameOrClientId: string,
  actor: AuditActor,
): Promise<{ role: string | null } | null> {
  const app = await findApp(appNameOrClientId);
  if (!app) return null;
  const role = await inTransaction(async (client, tx) => {
    const { rows } = await client.query<{ database: string }>('SELECT current_database()::text AS database');
    const role = await ownedRole(client, app.dbRole, roleComment(app.id, rows[0]!.database));
    if (!role) return null;
    await client.query(`ALTER ROLE ${escapeIdentifier(role)} WITH NOLOGIN`);
    await writeAudit(tx, actor, {
      action: 'app.db-role.revoke',
      objectId: app.clientId,
      details: { name: app.name, clientId: app.clientId, role },
    });
    return role;
  });
  if (role) {
    // Needs superuser or pg_signal_backend: best effort.
    await getPool()
      .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role])
      .catch((error: Error) =>
        getLogger().warn({ component: 'db-roles', role }, `could not end the open sessions: ${errorMessage(error)}`),
      );
  }
  return { role };
}
