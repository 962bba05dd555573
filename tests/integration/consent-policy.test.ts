import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { appReader, createApp } from '@/server/apps/registry';
import { setConsent } from '@/server/consent/consent';
import { readCustomers, visibleFields } from '@/server/consent/policy';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const address = { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' };
const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;
const log = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorName: true, fields: true, purpose: true },
  });

describe('consent policy', () => {
  beforeAll(ensureConsentPurposes);

  it('shows an app only the fields whose purpose is in effect, and logs each read that returned data', async () => {
    const { app } = await createApp(
      {
        name: appName('shop'),
        purposes: 'service,marketing-emails',
        fields: 'name,postalAddress,email:marketing-emails',
      },
      TEST_ACTOR,
    );
    expect(app.fieldPurposes).toEqual({
      name: ['terms-of-service', 'marketing-emails'],
      postalAddress: ['terms-of-service', 'marketing-emails'],
      email: ['marketing-emails'],
    });
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana', lastName: 'Silva', address });
    const reader = appReader(app, 'order 42');

    const [read] = await readCustomers(reader, { ids: [customer.id] });
    expect(read!.visible).toEqual({ name: 'terms-of-service', postalAddress: 'terms-of-service' });
    expect(read!.customer).toMatchObject({
      id: customer.id,
      firstName: 'Ana',
      lastName: 'Silva',
      addresses: { home: { ...address, line2: null }, billing: null, shipping: null },
    });
    expect(read!.customer).not.toHaveProperty('email');
    // Not findable by an email it may not see.
    expect(await readCustomers(reader, { email: customer.email })).toEqual([]);

    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const [after] = await readCustomers(reader, { email: customer.email });
    expect(after!.customer.email).toBe(customer.email);
    expect(await visibleFields(reader, customer.id)).toEqual({
      name: 'marketing-emails',
      postalAddress: 'marketing-emails',
      email: 'marketing-emails',
    });

    expect(await log(customer.id)).toEqual([
      { accessorName: app.name, fields: ['name', 'postalAddress'], purpose: 'terms-of-service' },
      { accessorName: app.name, fields: ['email', 'name', 'postalAddress'], purpose: 'marketing-emails' },
    ]);
  });

  it('hides everything of a customer who withdrew the app, at the very next read, and logs nothing for it', async () => {
    const { app } = await createApp(
      { name: appName('checkbook'), purposes: 'service', fields: 'name,postalAddress' },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail(), address });
    const reader = appReader(app);
    expect((await readCustomers(reader, { ids: [customer.id] }))[0]!.visible).toHaveProperty('postalAddress');
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: app.id } });
    const [read] = await readCustomers(reader, { ids: [customer.id] });
    expect(read!.visible).toEqual({});
    expect(read!.customer).toEqual({ id: customer.id, version: expect.any(Number), updatedAt: expect.any(Date) });
    expect(await log(customer.id)).toHaveLength(1);
  });

  it('shows nothing of a customer who never accepted the terms, and pages only through visible customers', async () => {
    const { app } = await createApp({ name: appName('list'), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const pending = await createCustomer({ email: uniqueEmail(), onboarded: false });
    expect((await readCustomers(appReader(app), { ids: [pending.id] }))[0]!.visible).toEqual({});
    const page = await readCustomers(appReader(app), { after: null, limit: 500 });
    expect(page.length).toBeGreaterThan(0);
    expect(page.map((r) => r.customer.id)).not.toContain(pending.id);
    expect(page.every((r) => r.visible.name === 'terms-of-service')).toBe(true);
  });
});
