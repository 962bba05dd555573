import { describe, expect, it } from 'vitest';

import { recordDataAccess } from '@/server/consent/access-log';
import { setConsent } from '@/server/consent/consent';
import { CONSENT_PURPOSES } from '@/server/consent/purposes';
import { deleteCustomer } from '@/server/customers/account';
import { buildExport } from '@/server/customers/export';
import { updateProfile } from '@/server/customers/profile';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail } from './helpers';

describe('account deletion', () => {
  it('erases personal data, keeps receipts under the pseudonym, ends sessions, writes customer.deleted, frees the address', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await createSessionFor(customer.id);
    await updateProfile(
      customer.id,
      {
        lastName: 'Martin',
        phone: '+33612345678',
        addresses: {
          home: { country: 'FR', line1: '1 rue de la Paix', line2: '', postalCode: '75002', city: 'Paris' },
        },
      },
      { channel: 'portal', expectedVersion: 1 },
    );
    await setConsent(
      customer.id,
      { purposeKey: 'analytics', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'privacy-dashboard' },
    );
    await recordDataAccess(prisma, [
      {
        customerId: customer.id,
        accessor: { type: 'app', id: 'shop', name: 'Shop' },
        fields: ['email'],
        purpose: 'analytics',
      },
    ]);

    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });

    expect(await prisma.user.findUnique({ where: { id: customer.id } })).toBeNull();
    for (const count of [
      prisma.session.count({ where: { userId: customer.id } }),
      prisma.address.count({ where: { customerId: customer.id } }),
      prisma.customerPhone.count({ where: { customerId: customer.id } }),
      prisma.profileChange.count({ where: { customerId: customer.id } }),
      prisma.dataAccessLog.count({ where: { customerId: customer.id } }),
      prisma.signInChallenge.count({ where: { email: customer.email } }),
    ])
      expect(await count).toBe(0);
    const receipts = await prisma.consentReceipt.findMany({
      where: { subjectPseudonym: subjectPseudonym(customer.id) },
    });
    expect(receipts.map((r) => [r.purposeKey, r.customerId])).toEqual(
      expect.arrayContaining([
        ['terms-of-service', null],
        ['analytics', null],
      ]),
    );
    const deleted = await prisma.outboxEvent.findMany({ where: { customerId: customer.id, type: 'customer.deleted' } });
    expect(deleted).toHaveLength(1);

    const again = await createCustomer({ email: customer.email });
    expect(again.id).not.toBe(customer.id);
    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: false, reason: 'not-found' });
  });
});

describe('export', () => {
  it('contains the profile, its history, consents with receipts, sessions and the access log', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await createSessionFor(customer.id);
    await updateProfile(customer.id, { lastName: 'Export-Test' }, { channel: 'portal', expectedVersion: 1 });
    await setConsent(
      customer.id,
      {
        purposeKey: 'personalization',
        version: CONSENT_PURPOSES.find((p) => p.key === 'personalization')!.version,
        granted: true,
      },
      { channel: 'portal', collectionMethod: 'privacy-dashboard' },
    );
    await recordDataAccess(prisma, [
      {
        customerId: customer.id,
        accessor: { type: 'staff', id: 's1', name: 'Support' },
        fields: ['lastName'],
        purpose: 'support',
      },
    ]);
    const data = JSON.parse(JSON.stringify(await buildExport(customer.id)));
    expect(data).toMatchObject({
      schema: 'accord-export',
      schemaVersion: 2,
      customer: {
        id: customer.id,
        email: customer.email,
        lastName: 'Export-Test',
        provenance: { lastName: { channel: 'portal' } },
      },
      profileHistory: [{ attribute: 'lastName', oldValue: null, newValue: 'Export-Test' }],
      consents: {
        current: expect.arrayContaining([expect.objectContaining({ purpose: 'personalization', granted: true })]),
      },
      sessions: [{ method: 'test-fixture' }],
      dataAccessLog: [{ accessor: 'Support', fields: ['lastName'] }],
    });
    expect(data.consents.receipts.map((r: { accord: { purposeKey: string } }) => r.accord.purposeKey)).toEqual([
      'terms-of-service',
      'personalization',
    ]);
  });
});
