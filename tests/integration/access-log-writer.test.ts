// The access log's one writer, the SQL function accord_record_access (migration
// 20261207090000_one_access_log_writer): the policy's reads, recordDataAccess
// (the API's consents read, staff reads) and the database views all log
// through it, so they cut, sort and date an entry the same way.
// docs/decisions/019-one-access-log-writer.md
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grantDatabaseRole } from '@/server/apps/db-roles';
import { createApp } from '@/server/apps/registry';
import { recordDataAccess } from '@/server/consent/access-log';
import { setConsent } from '@/server/consent/consent';
import { readCustomers } from '@/server/consent/policy';
import { CONSENT_PURPOSES, ensureConsentPurposes } from '@/server/consent/purposes';
import { getPool, prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { getConsents, tokenFor } from './api-helpers';
import { adminQuery, uniqueEmail } from './helpers';

const roles: string[] = [];
const clients: pg.Client[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  for (const role of roles) {
    await adminQuery(`DROP OWNED BY ${pg.escapeIdentifier(role)}`);
    await adminQuery(`DROP ROLE ${pg.escapeIdentifier(role)}`);
  }
});

const logOf = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: {
      accessorType: true,
      accessorId: true,
      accessorName: true,
      fields: true,
      purpose: true,
      reason: true,
      occurredAt: true,
    },
  });

/** Four fields, each allowed by its own purpose: the purposes joined are 65 characters, one more than the column. */
async function appAndCustomer() {
  const { app } = await createApp(
    {
      name: `writer-${randomUUID().slice(0, 8)}`,
      purposes: 'service,marketing-emails,partner-sharing,personalization',
      fields: 'name:service,email:marketing-emails,phone:partner-sharing,locale:personalization',
      scopes: ['customers:read'],
    },
    TEST_ACTOR,
  );
  const customer = await createCustomer({ email: uniqueEmail('writer') });
  for (const purposeKey of ['marketing-emails', 'partner-sharing', 'personalization'])
    await setConsent(
      customer.id,
      { purposeKey, version: CONSENT_PURPOSES.find((p) => p.key === purposeKey)!.version, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
  return { app, customer };
}

const ALL_PURPOSES = 'marketing-emails,partner-sharing,personalization,terms-of-service';

describe('the access log’s one writer', () => {
  beforeAll(ensureConsentPurposes);

  it('logs a read the same way through the policy, the API’s consents read and the database view', async () => {
    const { app, customer } = await appAndCustomer();
    expect(ALL_PURPOSES).toHaveLength(65);

    const [read] = await readCustomers(
      {
        accessor: { type: 'app', id: app.clientId, name: app.name },
        appId: app.id,
        fieldPurposes: app.fieldPurposes,
        reason: 'order 42',
      },
      { ids: [customer.id] },
    );
    expect(Object.keys(read!.visible)).toHaveLength(4);

    const consents = await getConsents(await tokenFor(app), customer.id);
    expect(consents.status).toBe(200);

    const granted = await grantDatabaseRole(app.name, TEST_ACTOR);
    roles.push(granted!.role);
    const db = new pg.Client({ connectionString: granted!.url });
    clients.push(db);
    await db.connect();
    // The app's own session time zone does not move the logged instant.
    await db.query("SET TimeZone = 'Pacific/Kiritimati'");
    expect((await db.query('SELECT id FROM shared.customers WHERE id = $1', [customer.id])).rows).toHaveLength(1);

    const logged = await logOf(customer.id);
    const cut = ALL_PURPOSES.slice(0, 64);
    const fields = ['email', 'locale', 'name', 'phone'];
    const accessor = { accessorType: 'app', accessorId: app.clientId, accessorName: app.name };
    expect(logged).toEqual([
      { ...accessor, fields, purpose: cut, reason: 'order 42', occurredAt: expect.any(Date) },
      { ...accessor, fields: ['consents'], purpose: cut, reason: null, occurredAt: expect.any(Date) },
      { ...accessor, fields, purpose: cut, reason: 'database view', occurredAt: expect.any(Date) },
    ]);
    for (const entry of logged) expect(Math.abs(entry.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);

    // The app's role cannot write the log itself, nor call the views' writer directly.
    const forged = db.query(
      "SELECT public.accord_record_access(ARRAY[ROW($1, 'app', 'x', 'x', '{name}', '{x}', 'forged')::public.accord_data_access])",
      [customer.id],
    );
    await expect(forged).rejects.toMatchObject({ code: '42501' });
    const { rows } = await adminQuery(
      `SELECT p.prosecdef AS definer, p.proconfig AS settings, has_function_privilege('public', p.oid, 'EXECUTE') AS public
       FROM pg_proc p WHERE p.oid = 'shared_internal.record_read(uuid, jsonb)'::regprocedure`,
    );
    expect(rows).toEqual([{ definer: true, settings: ['search_path=public, pg_temp', 'TimeZone=UTC'], public: false }]);
    expect(await logOf(customer.id)).toHaveLength(3);
  });

  it('cuts every text to its column, sorts and deduplicates the fields and purposes, whoever calls it', async () => {
    const { app, customer } = await appAndCustomer();
    const long = { id: `id-${'i'.repeat(200)}`, name: `name-${'n'.repeat(300)}`, reason: `why-${'r'.repeat(600)}` };

    await readCustomers(
      {
        accessor: { type: 'staff', id: long.id, name: long.name },
        appId: null,
        fieldPurposes: app.fieldPurposes,
        reason: long.reason,
      },
      { ids: [customer.id] },
    );
    await prisma.$transaction(async (tx) => {
      // A session in another time zone: the entry is still dated in UTC.
      await tx.$executeRaw`SET LOCAL TimeZone = 'Pacific/Kiritimati'`;
      await recordDataAccess(tx, [
        {
          customerId: customer.id,
          accessor: { type: 'staff', id: long.id, name: long.name },
          fields: ['phone', 'name', 'email', 'locale', 'name'],
          purpose: ['terms-of-service', 'personalization', 'partner-sharing', 'marketing-emails', 'personalization'],
          reason: long.reason,
        },
      ]);
    });

    const expected = {
      accessorType: 'staff',
      accessorId: long.id.slice(0, 128),
      accessorName: long.name.slice(0, 200),
      fields: ['email', 'locale', 'name', 'phone'],
      purpose: ALL_PURPOSES.slice(0, 64),
      reason: long.reason.slice(0, 500),
      occurredAt: expect.any(Date),
    };
    const logged = await logOf(customer.id);
    expect(logged).toEqual([expected, expected]);
    for (const entry of logged) expect(Math.abs(entry.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('is the only way to write the log: no other function or statement of Accord inserts into it', async () => {
    const { rows } = await getPool().query<{ name: string }>(
      `SELECT p.oid::regprocedure::text AS name FROM pg_proc p
       WHERE p.prosrc ILIKE '%insert into%data_access_log%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.name)).toEqual(['accord_record_access(accord_data_access[])']);
  });
});
