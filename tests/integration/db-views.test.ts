// The consent-enforcing database views (migration 20261125182903_shared_consent_views),
// read as an app's own PostgreSQL role, over a real connection with the URL
// grant-db returns. docs/decisions/017-consent-enforcing-database-views.md
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DatabaseRoleError, grantDatabaseRole, revokeDatabaseRole } from '@/server/apps/db-roles';
import { createApp, setAppDisabled, type AppRecord } from '@/server/apps/registry';
import { setAppAccess } from '@/server/consent/app-access';
import { setConsent } from '@/server/consent/consent';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { deleteCustomer } from '@/server/customers/account';
import { getPool, prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { adminQuery, uniqueEmail } from './helpers';

const address = { line1: '12 rue des Lilas', postalCode: '33000', city: 'Bordeaux', country: 'FR' };
const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

// Roles are global to the server while each worker has its own database:
// every role made here is dropped at the end.
const roles = new Set<string>();
const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return client;
}

async function grant(app: AppRecord) {
  const granted = await grantDatabaseRole(app.name, TEST_ACTOR);
  if (!granted) throw new Error(`no app ${app.name}`);
  roles.add(granted.role);
  return granted;
}

/** The error code PostgreSQL answers a statement with ('' when it succeeds). */
async function failure(client: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, params);
    return '';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const logOf = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorType: true, accessorId: true, accessorName: true, fields: true, purpose: true, reason: true },
  });

const countLog = (app: AppRecord) => prisma.dataAccessLog.count({ where: { accessorId: app.clientId } });

const byId = 'SELECT * FROM shared.customers WHERE id = $1';

describe('consent-enforcing database views', () => {
  beforeAll(ensureConsentPurposes);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    for (const role of roles) {
      const r = pg.escapeIdentifier(role);
      await adminQuery(`DROP OWNED BY ${r}`);
      await adminQuery(`DROP ROLE ${r}`);
    }
  });

  it('shows an app’s role the columns the customer allows it, NULL for the others, and logs the read', async () => {
    const { app } = await createApp(
      {
        name: appName('checkbook'),
        purposes: 'service,marketing-emails',
        fields: 'name,postalAddress,phone:marketing-emails',
      },
      TEST_ACTOR,
    );
    const customer = await createCustomer({
      email: uniqueEmail(),
      firstName: 'Ana',
      lastName: 'Silva',
      locale: 'fr',
      address,
    });
    await prisma.customerPhone.create({ data: { customerId: customer.id, e164: '+33612345678' } });
    const granted = await grant(app);
    expect(granted.role).toMatch(new RegExp(`^${app.name.replace(/-/g, '_')}_[0-9a-f]{6}$`));
    expect(new URL(granted.url)).toMatchObject({ username: granted.role, password: granted.password });
    expect((await prisma.app.findUniqueOrThrow({ where: { id: app.id } })).dbRole).toBe(granted.role);

    const db = await connect(granted.url);
    const { rows } = await db.query(byId, [customer.id]);
    expect(rows).toEqual([
      {
        id: customer.id,
        version: expect.any(Number),
        updated_at: expect.any(Date),
        visible_fields: ['name', 'postalAddress'],
        first_name: 'Ana',
        last_name: 'Silva',
        email: null,
        email_verified: null,
        phone: null,
        locale: null,
        home_line1: '12 rue des Lilas',
        home_line2: null,
        home_postal_code: '33000',
        home_city: 'Bordeaux',
        home_country: 'FR',
        billing_line1: null,
        billing_line2: null,
        billing_postal_code: null,
        billing_city: null,
        billing_country: null,
        shipping_line1: null,
        shipping_line2: null,
        shipping_postal_code: null,
        shipping_city: null,
        shipping_country: null,
      },
    ]);
    expect(await logOf(customer.id)).toEqual([
      {
        accessorType: 'app',
        accessorId: app.clientId,
        accessorName: app.name,
        fields: ['name', 'postalAddress'],
        purpose: 'terms-of-service',
        reason: 'database view',
      },
    ]);
  });

  it('returns NULL from the same query once the customer withdraws a purpose, no row once the customer withdraws the app, and the values again when allowed', async () => {
    const { app } = await createApp(
      {
        name: appName('bank'),
        purposes: 'service,marketing-emails',
        fields: 'name,postalAddress,phone:marketing-emails',
      },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana', address });
    await prisma.customerPhone.create({ data: { customerId: customer.id, e164: '+33612345678' } });
    const db = await connect((await grant(app)).url);
    const query = 'SELECT visible_fields, first_name, phone, home_city FROM shared.customers WHERE id = $1';
    const consent = (granted: boolean) =>
      setConsent(
        customer.id,
        { purposeKey: 'marketing-emails', version: 1, granted },
        { channel: 'portal', collectionMethod: 'test' },
      );

    await consent(true);
    expect((await db.query(query, [customer.id])).rows).toEqual([
      {
        visible_fields: ['name', 'phone', 'postalAddress'],
        first_name: 'Ana',
        phone: '+33612345678',
        home_city: 'Bordeaux',
      },
    ]);
    await consent(false);
    expect((await db.query(query, [customer.id])).rows).toEqual([
      { visible_fields: ['name', 'postalAddress'], first_name: 'Ana', phone: null, home_city: 'Bordeaux' },
    ]);

    // Withdrawn: not even the row (the id) any more.
    await setAppAccess(customer.id, app.id, false);
    expect((await db.query(query, [customer.id])).rows).toEqual([]);
    await setAppAccess(customer.id, app.id, true);
    expect((await db.query(query, [customer.id])).rows).toEqual([
      { visible_fields: ['name', 'postalAddress'], first_name: 'Ana', phone: null, home_city: 'Bordeaux' },
    ]);
    // Three reads returned data; the one while withdrawn returned nothing and is not in the log.
    expect((await logOf(customer.id)).map((e) => [e.fields, e.purpose])).toEqual([
      // Each field with one purpose that allows it, as the API logs it (accord_visible_fields).
      [['name', 'phone', 'postalAddress'], 'marketing-emails'],
      [['name', 'postalAddress'], 'terms-of-service'],
      [['name', 'postalAddress'], 'terms-of-service'],
    ]);
  });

  it('gives the role nothing but SELECT on the views', async () => {
    const { app } = await createApp({ name: appName('nosy'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const customer = await createCustomer({ email: uniqueEmail() });
    const granted = await grant(app);
    const db = await connect(granted.url);

    const { rows: tables } = await adminQuery(
      "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(tables.map((t) => t.name)).toContain('public.customers');
    for (const { name } of tables as Array<{ name: string }>)
      expect([name, await failure(db, `SELECT 1 FROM ${name} LIMIT 1`)]).toEqual([name, '42501']);

    // Refused twice over: the view is not updatable (55000, checked first) and the role has no such privilege.
    expect(await failure(db, 'INSERT INTO shared.customers (id) VALUES ($1)', [randomUUID()])).toBe('55000');
    expect(await failure(db, 'UPDATE shared.customers SET first_name = $1', ['Eve'])).toBe('55000');
    expect(await failure(db, 'DELETE FROM shared.customers')).toBe('55000');
    const privileges = await adminQuery(
      `SELECT has_table_privilege($1, 'shared.customers', 'SELECT') AS reads,
              has_table_privilege($1, 'shared.customers', 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS writes`,
      [granted.role],
    );
    expect(privileges.rows).toEqual([{ reads: true, writes: false }]);
    // The views' functions cannot be called but through the views.
    expect(await failure(db, 'SELECT shared_internal.record_read($1, $2)', [customer.id, '{}'])).toBe('42501');
    expect(await failure(db, 'SELECT shared_internal.visible_fields($1)', [customer.id])).toBe('42501');
    expect(await failure(db, 'CREATE TABLE public.stash (v text)')).toBe('42501');
    expect(await failure(db, 'CREATE VIEW shared.mine AS SELECT 1')).toBe('42501');

    const { rows } = await getPool().query(
      `SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin, rolconnlimit,
              (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
       FROM pg_roles r WHERE rolname = $1`,
      [granted.role],
    );
    expect(rows).toEqual([
      {
        rolsuper: false,
        rolinherit: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
        rolconnlimit: 10,
        memberships: 0,
      },
    ]);
  });

  it('reads and logs only the row asked for by id, the rows of a page, the rows a condition keeps', async () => {
    const { app } = await createApp({ name: appName('pager'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const rare = `Zoé-${randomUUID().slice(0, 8)}`;
    const customers = await Promise.all(
      [rare, rare, 'Sam', 'Sam', 'Sam'].map((firstName) => createCustomer({ email: uniqueEmail(), firstName })),
    );
    const db = await connect((await grant(app)).url);

    const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${byId}`, [customers[0]!.id])).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(/Index Scan using customers_pkey on customers c\s+Index Cond: \(id = /);

    const before = await countLog(app);
    expect((await db.query(byId, [customers[0]!.id])).rows).toHaveLength(1);
    expect(await countLog(app)).toBe(before + 1);
    // Every customer of this database is onboarded: each row of the page shows a name,
    // and is in the log. The view is a security barrier: what it passes to the
    // query's own ORDER BY, LIMIT or conditions is logged, at least what they keep.
    const page = await db.query<{ id: string; visible_fields: string[] }>(
      'SELECT id, visible_fields FROM shared.customers ORDER BY id LIMIT 3',
    );
    expect(page.rows.map((r) => r.visible_fields)).toEqual([['name'], ['name'], ['name']]);
    for (const row of page.rows) expect(await logOf(row.id)).not.toEqual([]);
    const named = await db.query('SELECT id FROM shared.customers WHERE first_name = $1', [rare]);
    expect(named.rows.map((r: { id: string }) => r.id).sort()).toEqual([customers[0]!.id, customers[1]!.id].sort());
    expect((await logOf(customers[1]!.id)).length).toBeGreaterThan(0);
  });

  it('gives an app no function of its own to read the values with, and nothing to follow of a customer it may not see', async () => {
    const { app } = await createApp(
      {
        name: appName('leaky'),
        purposes: 'service,marketing-emails',
        fields: 'name:marketing-emails',
      },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Secret' });
    const db = await connect((await grant(app)).url);
    // A temporary function printing the values and returning false would read them unlogged.
    await expect(
      db.query('CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$'),
    ).rejects.toThrow(/permission denied/);
    // The view is a security barrier: a condition of the app's own sees only rows already logged.
    const barrier = await db.query<{ reloptions: string[] | null }>(
      "SELECT reloptions FROM pg_class WHERE oid = 'shared.customers'::regclass",
    );
    expect(barrier.rows[0]!.reloptions).toContain('security_barrier=true');
    // Someone the app may see nothing of (its purpose not allowed): no version or time of change to follow.
    expect(
      (await db.query('SELECT version, updated_at, first_name FROM shared.customers WHERE id = $1', [customer.id]))
        .rows,
    ).toEqual([{ version: null, updated_at: null, first_name: null }]);
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const [row] = (
      await db.query<{ updated_at: Date }>('SELECT updated_at FROM shared.customers WHERE id = $1', [customer.id])
    ).rows;
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { updatedAt: true } });
    // timestamptz: the same instant whatever the client's time zone.
    expect(row!.updated_at.getTime()).toBe(stored.updatedAt.getTime());
  });

  it('fails a read that could not be logged (a read-only transaction)', async () => {
    const { app } = await createApp({ name: appName('replica'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const customer = await createCustomer({ email: uniqueEmail() });
    const db = await connect((await grant(app)).url);
    await db.query('BEGIN READ ONLY');
    expect(await failure(db, byId, [customer.id])).toBe('25006');
    await db.query('ROLLBACK');
    expect(await logOf(customer.id)).toEqual([]);
  });

  it('shows a disabled app nothing; its role can no longer log in until grant-db gives it a new password', async () => {
    const { app } = await createApp({ name: appName('retired'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const customer = await createCustomer({ email: uniqueEmail() });
    const first = await grant(app);
    const open = await connect(first.url);
    expect((await open.query(byId, [customer.id])).rows).toHaveLength(1);

    await setAppDisabled(app.name, true, TEST_ACTOR);
    expect((await open.query('SELECT count(*)::int AS n FROM shared.customers')).rows).toEqual([{ n: 0 }]);
    expect(await revokeDatabaseRole(app.name, TEST_ACTOR)).toEqual({ role: first.role });
    await expect(connect(first.url)).rejects.toThrow(/not permitted to log in/);
    await expect(grantDatabaseRole(app.name, TEST_ACTOR)).rejects.toThrow(DatabaseRoleError);

    await setAppDisabled(app.name, false, TEST_ACTOR);
    const again = await grant(app);
    expect(again.role).toBe(first.role);
    expect((await (await connect(again.url)).query(byId, [customer.id])).rows).toHaveLength(1);
    expect(await logOf(customer.id)).toHaveLength(2);
  });

  it('rotates the password when run again: same role, the old password refused', async () => {
    const { app } = await createApp({ name: appName('rotate'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const first = await grant(app);
    const stored = async () =>
      (await adminQuery('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [first.role])).rows[0]!.p;
    const before = await stored();
    expect(before).toMatch(/^SCRAM-SHA-256\$4096:/);

    const second = await grant(app);
    expect(second.role).toBe(first.role);
    expect(second.password).not.toBe(first.password);
    expect(await stored()).not.toBe(before);
    await connect(second.url);

    // CI's PostgreSQL 15 is initialised with --auth=trust: it checks no password at all.
    const wrong = new URL(second.url);
    wrong.password = randomBytes(12).toString('hex');
    const checksPasswords = await connect(wrong.toString()).then(
      () => false,
      () => true,
    );
    if (checksPasswords) await expect(connect(first.url)).rejects.toThrow(/password authentication failed/);
  });

  it('tells an app of deletions in shared.deleted_customers, under a reference only it can compute from the id', async () => {
    const { app } = await createApp({ name: appName('archive'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const db = await connect((await grant(app)).url);
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Gone' });
    const ref = (clientId: string, id: string) => createHash('sha256').update(`${clientId}:${id}`).digest('hex');
    const deletions = async (client: pg.Client) =>
      (await client.query<{ customer_ref: string; deleted_at: Date }>('SELECT * FROM shared.deleted_customers')).rows;
    expect((await deletions(db)).map((r) => r.customer_ref)).not.toContain(ref(app.clientId, customer.id));

    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });
    const rows = await deletions(db);
    const mine = rows.filter((r) => r.customer_ref === ref(app.clientId, customer.id));
    expect(mine).toEqual([{ customer_ref: ref(app.clientId, customer.id), deleted_at: expect.any(Date) }]);
    expect(Math.abs(mine[0]!.deleted_at.getTime() - Date.now())).toBeLessThan(60_000);
    // The list alone names nobody.
    expect(JSON.stringify(rows)).not.toContain(customer.id);
    // The app computes the reference in SQL for the ids it holds, as the view's comment says.
    const computed = await db.query(
      `SELECT 1 FROM shared.deleted_customers
       WHERE customer_ref = encode(sha256(convert_to($1 || ':' || $2, 'UTF8')), 'hex')`,
      [app.clientId, customer.id],
    );
    expect(computed.rowCount).toBe(1);

    // Another app's list cannot be joined with this one, and an app registered since never knew the customer.
    const { app: later } = await createApp({ name: appName('later'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const laterDb = await connect((await grant(later)).url);
    const theirs = (await deletions(laterDb)).map((r) => r.customer_ref);
    expect(theirs).not.toContain(ref(later.clientId, customer.id));
    expect(theirs).not.toContain(ref(app.clientId, customer.id));
    // Only the views: the outbox behind it stays out of reach.
    expect(await failure(db, 'SELECT 1 FROM public.outbox_events LIMIT 1')).toBe('42501');
  });

  it('answers null for an unknown app', async () => {
    expect(await grantDatabaseRole(appName('nobody'), TEST_ACTOR)).toBeNull();
    expect(await revokeDatabaseRole(appName('nobody'), TEST_ACTOR)).toBeNull();
  });
});
