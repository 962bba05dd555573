import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { createApp } from '@/server/apps/registry';
import { listDataAccess, recordDataAccess } from '@/server/consent/access-log';
import { listAppsForCustomer, setAppAccess } from '@/server/consent/app-access';
import {
  listOptOuts,
  listPurposesFor,
  listReceipts,
  purposeTitles,
  recordGlobalPrivacyControl,
  setConsent,
} from '@/server/consent/consent';
import { getPrivacyDashboard } from '@/server/consent/dashboard';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { countPasskeys } from '@/server/identity/passkeys';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const dashboard = { channel: 'portal', collectionMethod: 'privacy-dashboard' };

/** What the page showed before it read everything in one statement: each part from its own function. */
async function partByPart(customerId: string, locale: 'en' | 'fr') {
  const [purposes, receipts, titles, optOuts, apps, accesses, passkeys] = await Promise.all([
    listPurposesFor(customerId, locale),
    listReceipts(customerId),
    purposeTitles(locale),
    listOptOuts(customerId),
    listAppsForCustomer(customerId, locale),
    listDataAccess(customerId),
    countPasskeys(customerId),
  ]);
  return { purposes, receipts, titles, optOuts, apps, accesses, passkeys };
}

/** A customer with something in every section: answers, a GPC opt-out, an app withdrawn, reads logged, a passkey. */
async function busyCustomer() {
  const customer = await createCustomer({ email: uniqueEmail() });
  await setConsent(customer.id, { purposeKey: 'marketing-emails', version: 1, granted: true }, dashboard);
  await setConsent(customer.id, { purposeKey: 'analytics', version: 1, granted: true }, dashboard);
  await setConsent(customer.id, { purposeKey: 'analytics', version: 1, granted: false }, dashboard);
  await recordGlobalPrivacyControl(customer.id, 'test');
  const { app } = await createApp(
    {
      name: `shop-${randomUUID().slice(0, 8)}`,
      description: 'Sells things',
      purposes: 'service,marketing-emails',
      fields: 'name,email:marketing-emails',
    },
    TEST_ACTOR,
  );
  await setAppAccess(customer.id, app.id, false);
  for (let i = 0; i < 3; i++)
    await recordDataAccess(prisma, [
      {
        customerId: customer.id,
        accessor: { type: 'app', id: app.clientId, name: app.name },
        fields: ['email', 'firstName'],
        purpose: i === 0 ? ['service', 'marketing-emails'] : 'service',
        reason: i === 2 ? 'support ticket' : undefined,
      },
    ]);
  await prisma.passkey.create({
    data: {
      customerId: customer.id,
      credentialId: `cred-${customer.id}`,
      publicKey: Buffer.from([1, 2, 3]),
      deviceType: 'multiDevice',
      backedUp: true,
      name: 'Laptop',
    },
  });
  return { ...customer, appId: app.id };
}

describe('getPrivacyDashboard', () => {
  beforeAll(ensureConsentPurposes);
  afterEach(() => vi.restoreAllMocks());

  it('reads everything /account/privacy shows in one SQL statement, whatever the customer has', async () => {
    const customer = await busyCustomer();
    // pg's Client.query carries every statement, Prisma's (through @prisma/adapter-pg) and ours.
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const page = await getPrivacyDashboard(customer.id, 'en');
    expect(query).toHaveBeenCalledTimes(1);
    expect(page.receipts.length).toBeGreaterThan(3);
    expect(page.accesses).toHaveLength(3);
  });

  it.each(['en', 'fr'] as const)('gives what each part read alone gives (%s)', async (locale) => {
    const customer = await busyCustomer();
    const page = await getPrivacyDashboard(customer.id, locale);
    expect(page).toEqual(await partByPart(customer.id, locale));
    expect(page.purposes.find((p) => p.key === 'analytics')).toMatchObject({ state: { granted: false, version: 1 } });
    expect(page.optOuts).toMatchObject([{ kind: 'sale-sharing', source: 'global-privacy-control' }]);
    expect(page.apps.find((a) => a.id === customer.appId)).toMatchObject({ withdrawn: true, visibleFields: [] });
    expect(page.accesses[0]).toMatchObject({ reason: 'support ticket' });
    expect(page.passkeys).toBe(1);
  });

  it('for a customer who has done nothing yet: their terms receipt, nothing else', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const page = await getPrivacyDashboard(customer.id, 'en');
    expect(page).toEqual(await partByPart(customer.id, 'en'));
    expect(page).toMatchObject({ optOuts: [], accesses: [], passkeys: 0 });
  });
});
