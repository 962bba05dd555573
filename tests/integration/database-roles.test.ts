// The two database roles (docs/decisions/033-staff-console.md, section 4): the tests
// run as the runtime role, as the app does; the owner ran the migrations and owns
// grant-db's functions. docs/deployment.md "Database roles"
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { DatabaseRoleError, grantDatabaseRole } from '@/server/apps/db-roles';
import { createApp } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { writeAudit } from '@/server/platform/audit';
import { getPool, prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { assertAuditProtected, auditProtectionProblems } from '../../scripts/db/roles';
import { adminQuery, uniqueEmail } from './helpers';

async function codeOf(sql: string): Promise<string> {
  try {
    await getPool().query(sql);
    return '';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('the runtime role', () => {
  it('is neither a superuser nor the owner, and may not change the schema or the migrations’ bookkeeping', async () => {
    const { rows } = await getPool().query(
      `SELECT current_user AS role, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
              pg_has_role(current_user, d.datdba, 'MEMBER') AS owner
       FROM pg_roles r JOIN pg_database d ON d.datname = current_database() WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([{ role: 'accord_test_app', superuser: false, createrole: false, owner: false }]);
    expect(await auditProtectionProblems(process.env.DATABASE_URL!)).toEqual([]);

    expect(await codeOf('SELECT count(*) FROM _prisma_migrations')).toBe('');
    expect(await codeOf('UPDATE _prisma_migrations SET rolled_back_at = NULL')).toBe('42501');
    expect(await codeOf('CREATE TABLE public.stash (v text)')).toBe('42501');
    expect(await codeOf('ALTER TABLE customers ADD COLUMN stash text')).toBe('42501');
    expect(await codeOf('DROP TABLE customers')).toBe('42501');
  });
});

describe('the audit trail as the runtime role', () => {
  it('may be read and appended to, never changed: UPDATE, DELETE and TRUNCATE are refused by privilege', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await prisma.$transaction((tx) =>
      writeAudit(
        tx,
        { type: 'cli', label: 'cli:test' },
        { action: 'customer.view', objectId: customer.id, customerId: customer.id, reason: 'ticket 7' },
      ),
    );
    const { rows } = await getPool().query<{ id: string }>('SELECT id FROM audit_log WHERE customer_id = $1', [
      customer.id,
    ]);
    expect(rows).toHaveLength(1);
    const id = rows[0]!.id;
    for (const sql of [
      `UPDATE audit_log SET reason = 'rewritten' WHERE id = ${id}`,
      `UPDATE audit_log SET customer_id = NULL WHERE id = ${id}`,
      `DELETE FROM audit_log WHERE id = ${id}`,
      'TRUNCATE audit_log',
    ]) {
      // The privilege check comes before the append-only trigger, whose message differs.
      await expect(getPool().query(sql), sql).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied for table audit_log',
      });
    }
    const privileges = await adminQuery(
      `SELECT string_agg(p, ',' ORDER BY p) AS granted FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
       WHERE has_table_privilege('accord_test_app', 'audit_log', p)`,
    );
    expect(privileges.rows).toEqual([{ granted: 'INSERT,SELECT' }]);
  });

  it('is flagged when the runtime could change it, as the owner can', async () => {
    expect(await auditProtectionProblems(process.env.DATABASE_URL!)).toEqual([]);
    expect(await auditProtectionProblems(process.env.MIGRATION_DATABASE_URL!)).toEqual(
      expect.arrayContaining([expect.stringMatching(/"accord_test_owner" has UPDATE, DELETE, TRUNCATE on audit_log/)]),
    );
  });
});

describe('assertAuditProtected', () => {
  const superuserUrl = () => process.env.TEST_ADMIN_DATABASE_URL!;

  it('refuses a superuser runtime URL in production, and only warns elsewhere', async () => {
    await expect(assertAuditProtected(superuserUrl(), { production: true })).rejects.toThrow(
      /could change or delete audit rows: "postgres" is a superuser.*MIGRATION_DATABASE_URL.*Database roles/,
    );
    const log = vi.fn();
    await expect(assertAuditProtected(superuserUrl(), { production: false, log })).resolves.toBeUndefined();
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^\[db\] warning: .*is a superuser/));
  });

  it('refuses the owner’s URL (a one-user setup) in production, and accepts the runtime’s', async () => {
    await expect(assertAuditProtected(process.env.MIGRATION_DATABASE_URL!, { production: true })).rejects.toThrow(
      /"accord_test_owner" has CREATEROLE; "accord_test_owner" is, or is a member of, the database's owner/,
    );
    await expect(assertAuditProtected(process.env.DATABASE_URL!, { production: true })).resolves.toBeUndefined();
  });
});

describe('grant-db behind the owner', () => {
  const fallback = `accord_test_nocreaterole_${randomUUID().slice(0, 8)}`;
  beforeAll(ensureConsentPurposes);

  afterEach(async () => {
    await adminQuery(`ALTER FUNCTION accord_grant_app_role(uuid, text, text) OWNER TO accord_test_owner`);
    await adminQuery(`DROP OWNED BY ${pg.escapeIdentifier(fallback)}`).catch(() => undefined);
    await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(fallback)}`);
  });

  it('names the owner’s missing CREATEROLE when the function’s owner may not create roles', async () => {
    const { app } = await createApp(
      { name: `norole-${randomUUID().slice(0, 8)}`, purposes: 'service', fields: 'name' },
      TEST_ACTOR,
    );
    // Functions belong to this worker's database: other workers keep the real owner.
    await adminQuery(`CREATE ROLE ${pg.escapeIdentifier(fallback)} NOLOGIN`);
    await adminQuery(`GRANT SELECT, UPDATE ON apps TO ${pg.escapeIdentifier(fallback)}`);
    await adminQuery(
      `ALTER FUNCTION accord_grant_app_role(uuid, text, text) OWNER TO ${pg.escapeIdentifier(fallback)}`,
    );

    const refusal = grantDatabaseRole(app.name, TEST_ACTOR);
    await expect(refusal).rejects.toThrow(DatabaseRoleError);
    await expect(refusal).rejects.toThrow(/owner role .*MIGRATION_DATABASE_URL.* needs CREATEROLE/);
    expect((await getPool().query('SELECT db_role FROM apps WHERE id = $1', [app.id])).rows[0]).toEqual({
      db_role: null,
    });
  });

  it('are the owner’s, callable by the runtime and not by PUBLIC (so not by an app’s reader role)', async () => {
    const { rows } = await adminQuery(
      `SELECT p.proname AS name, p.prosecdef AS definer, pg_get_userbyid(p.proowner) AS owner,
              has_function_privilege('public', p.oid, 'EXECUTE') AS public,
              has_function_privilege('accord_test_app', p.oid, 'EXECUTE') AS runtime
       FROM pg_proc p WHERE p.proname IN ('accord_grant_app_role', 'accord_revoke_app_role') ORDER BY p.proname`,
    );
    expect(rows).toEqual([
      { name: 'accord_grant_app_role', definer: true, owner: 'accord_test_owner', public: false, runtime: true },
      { name: 'accord_revoke_app_role', definer: true, owner: 'accord_test_owner', public: false, runtime: true },
    ]);
  });
});
