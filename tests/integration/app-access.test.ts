import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { appReader, createApp, setAppDisabled } from '@/server/apps/registry';
import { listAppsForCustomer, setAppAccess } from '@/server/consent/app-access';
import { setConsent } from '@/server/consent/consent';
import { readCustomers } from '@/server/consent/policy';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { getPool, prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const address = { line1: '3 chemin des Vignes', postalCode: '69005', city: 'Lyon', country: 'FR' };
const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

const accessEvents = (customerId: string) =>
  prisma.outboxEvent.findMany({
    where: { customerId, type: 'consent.updated' },
    orderBy: { id: 'asc' },
    select: { payload: true },
  });

describe('apps with access', () => {
  beforeAll(ensureConsentPurposes);

  it('lists each enabled app with what it reads, why (titled in the customer’s language), what it sees now and whether it was withdrawn', async () => {
    const { app } = await createApp(
      {
        name: appName('checkbook'),
        description: 'Orders your checkbooks',
        purposes: 'service,marketing-emails',
        fields: 'postalAddress:service,name,email:marketing-emails',
      },
      TEST_ACTOR,
    );
    const { app: disabled } = await createApp(
      { name: appName('retired'), purposes: 'service', fields: 'name' },
      TEST_ACTOR,
    );
    await setAppDisabled(disabled.name, true, TEST_ACTOR);
    const customer = await createCustomer({ email: uniqueEmail(), address });

    const en = await listAppsForCustomer(customer.id, 'en');
    expect(en.map((a) => a.id)).not.toContain(disabled.id);
    expect(en.find((a) => a.id === app.id)).toEqual({
      id: app.id,
      name: app.name,
      description: 'Orders your checkbooks',
      fields: [
        {
          field: 'name',
          purposes: [
            { key: 'terms-of-service', title: 'Terms of use and privacy notice' },
            { key: 'marketing-emails', title: 'Marketing emails' },
          ],
        },
        { field: 'email', purposes: [{ key: 'marketing-emails', title: 'Marketing emails' }] },
        { field: 'postalAddress', purposes: [{ key: 'terms-of-service', title: 'Terms of use and privacy notice' }] },
      ],
      visibleFields: ['name', 'postalAddress'],
      withdrawn: false,
    });
    const fr = (await listAppsForCustomer(customer.id, 'fr')).find((a) => a.id === app.id)!;
    expect(fr.fields[1]!.purposes).toEqual([{ key: 'marketing-emails', title: 'E-mails commerciaux' }]);

    await setAppAccess(customer.id, app.id, false);
    const after = (await listAppsForCustomer(customer.id, 'en')).find((a) => a.id === app.id)!;
    expect(after).toMatchObject({ withdrawn: true, visibleFields: [] });
    // Another customer's view of the same app is untouched.
    const other = await createCustomer({ email: uniqueEmail() });
    expect((await listAppsForCustomer(other.id, 'en')).find((a) => a.id === app.id)).toMatchObject({
      withdrawn: false,
      visibleFields: ['name', 'postalAddress'],
    });
  });

  it('withdraws an app with one event in the same transaction, hides everything from its next read, and allows it again', async () => {
    const { app } = await createApp(
      {
        name: appName('shop'),
        purposes: 'service,marketing-emails',
        fields: 'name,postalAddress,email:marketing-emails',
      },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Inès', address });
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const reader = appReader(app);
    expect((await readCustomers(reader, { ids: [customer.id] }))[0]!.visible).toEqual({
      name: 'marketing-emails',
      postalAddress: 'marketing-emails',
      email: 'marketing-emails',
    });
    const before = (await accessEvents(customer.id)).length;

    expect(await setAppAccess(customer.id, app.id, false)).toEqual({ ok: true, changed: true });
    const [read] = await readCustomers(reader, { ids: [customer.id] });
    expect(read!.visible).toEqual({});
    expect(read!.customer).toEqual({ id: customer.id, version: expect.any(Number), updatedAt: expect.any(Date) });
    expect(await readCustomers(reader, { email: customer.email })).toEqual([]);

    const events = (await accessEvents(customer.id)).slice(before);
    expect(events).toEqual([
      {
        payload: {
          customerId: customer.id,
          app: app.clientId,
          appName: app.name,
          access: 'withdrawn',
          channel: 'portal',
        },
      },
    ]);
    // The withdrawal and its event were written by one transaction: same xmin.
    const { rows } = await getPool().query<{ withdrawal: string; event: string }>(
      `SELECT (SELECT xmin::text FROM app_access_withdrawals WHERE customer_id = $1 AND app_id = $2) AS withdrawal,
              (SELECT xmin::text FROM outbox_events WHERE customer_id = $1 AND type = 'consent.updated' ORDER BY id DESC LIMIT 1) AS event`,
      [customer.id, app.id],
    );
    expect(rows[0]!.withdrawal).toBe(rows[0]!.event);

    // Asking again for what is already the case changes nothing and says so.
    expect(await setAppAccess(customer.id, app.id, false)).toEqual({ ok: true, changed: false });
    expect(await accessEvents(customer.id)).toHaveLength(before + 1);

    expect(await setAppAccess(customer.id, app.id, true)).toEqual({ ok: true, changed: true });
    expect((await readCustomers(reader, { ids: [customer.id] }))[0]!.customer).toMatchObject({
      firstName: 'Inès',
      email: customer.email,
    });
    expect(await setAppAccess(customer.id, app.id, true)).toEqual({ ok: true, changed: false });
    const all = (await accessEvents(customer.id)).slice(before);
    expect(all.map((e) => (e.payload as { access: string }).access)).toEqual(['withdrawn', 'allowed']);
  });

  it('writes one withdrawal and one event for two clicks at once', async () => {
    const { app } = await createApp({ name: appName('twice'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const customer = await createCustomer({ email: uniqueEmail() });
    const results = await Promise.all([
      setAppAccess(customer.id, app.id, false),
      setAppAccess(customer.id, app.id, false),
    ]);
    expect(results.map((r) => r.ok && r.changed).sort()).toEqual([false, true]);
    expect(await accessEvents(customer.id)).toHaveLength(1);
    expect(await prisma.appAccessWithdrawal.count({ where: { customerId: customer.id } })).toBe(1);
  });

  it('refuses an unknown app or customer and writes nothing', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    for (const appId of [randomUUID(), 'not-a-uuid', "' OR 1=1 --", '']) {
      expect(await setAppAccess(customer.id, appId, false)).toEqual({ ok: false, reason: 'unknown-app' });
    }
    const { app } = await createApp({ name: appName('ghost'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    expect(await setAppAccess(randomUUID(), app.id, false)).toEqual({ ok: false, reason: 'not-found' });
    expect(
      await prisma.appAccessWithdrawal.count({ where: { OR: [{ customerId: customer.id }, { appId: app.id }] } }),
    ).toBe(0);
    expect(await accessEvents(customer.id)).toEqual([]);
  });
});
