import 'server-only';

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';

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

/** Refused: a disabled app, or a database owner role that may not manage roles. */
export class DatabaseRoleError extends Error {}

/**
 * Role names are global to the PostgreSQL server while apps belong to one
 * database (tests run one database per worker; staging may share a server
 * with production): the app's name plus a random suffix, e.g. checkbook_3f9a2c.
 */
function newRoleName(appName: string): string {
  return `${appName.replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`;
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

/**
 * The roles are made by SECURITY DEFINER functions of the database's owner
 * (migration 20261207140000_app_roles_as_owner_functions): the runtime role
 * this code connects as has no CREATEROLE. docs/decisions/033-staff-console.md
 */
/** PostgreSQL's SQLSTATE and message, from node-postgres or through Prisma's driver adapter (a raw query in a transaction). */
function postgresError(error: unknown): { code?: string; message: string } {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { code?: string; message?: string } } } }).meta
    ?.driverAdapterError?.cause;
  if (cause?.code) return { code: cause.code, message: cause.message ?? '' };
  return { code: (error as { code?: string }).code, message: error instanceof Error ? error.message : String(error) };
}

async function asOwner<T>(appName: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, message } = postgresError(error);
    if (code === '55000')
      throw new DatabaseRoleError(`${appName} is disabled: enable it before giving it database access`);
    if (code === '42501') {
      throw new DatabaseRoleError(
        `the database's owner role (the one that runs the migrations, MIGRATION_DATABASE_URL) may not manage roles (${message}): ` +
          'grant-db needs CREATEROLE on that role (ALTER ROLE <owner> CREATEROLE), see docs/deployment.md "Database roles"',
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

  // In Prisma's transaction, so that the role's change and its audit row commit together.
  const role = await asOwner(app.name, () =>
    prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ role: string | null }[]>(
        'SELECT accord_grant_app_role($1::uuid, $2, $3) AS role',
        app.id,
        newRoleName(app.name),
        scramVerifier(password),
      );
      const role = rows[0]?.role ?? null;
      if (role)
        await writeAudit(tx, actor, {
          action: 'app.db-role.grant',
          objectId: app.clientId,
          details: { name: app.name, clientId: app.clientId, role },
        });
      return role;
    }),
  );
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
  const result = await asOwner(app.name, () =>
    prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ db_role: string | null; sessions_ended: boolean }[]>(
        'SELECT db_role, sessions_ended FROM accord_revoke_app_role($1::uuid)',
        app.id,
      );
      const role = rows[0]?.db_role ?? null;
      if (role)
        await writeAudit(tx, actor, {
          action: 'app.db-role.revoke',
          objectId: app.clientId,
          details: { name: app.name, clientId: app.clientId, role },
        });
      return { role, sessionsEnded: rows[0]?.sessions_ended ?? true };
    }),
  );
  if (result.role && !result.sessionsEnded) {
    getLogger().warn(
      { component: 'db-roles', role: result.role },
      'could not end the open sessions: the database owner role needs pg_signal_backend',
    );
  }
  return { role: result.role };
}
