import { describe, expect, it } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { completeOnboarding } from '@/server/customers/account';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

describe('onboarding', () => {
  it('saves the first name, a consent receipt for the accepted terms version, and both events, together', async () => {
    await ensureConsentPurposes();
    const customer = await createCustomer({ email: uniqueEmail(), firstName: null, onboarded: false });
    expect(await completeOnboarding(customer.id, { firstName: 'Zoé', acceptedTermsVersion: 1 })).toEqual({ ok: true });
    const row = await prisma.user.findUniqueOrThrow({ where: { id: customer.id } });
    expect(row.firstName).toBe('Zoé');
    expect(row.onboardedAt).not.toBeNull();
    const receipts = await prisma.consentReceipt.findMany({ where: { customerId: customer.id } });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({
      purposeKey: 'terms-of-service',
      purposeVersion: 1,
      granted: true,
      channel: 'portal',
    });
    expect(receipts[0]!.subjectPseudonym).toMatch(/^[0-9a-f]{64}$/);
    const events = await prisma.outboxEvent.findMany({ where: { customerId: customer.id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['customer.updated', 'consent.updated']);
  });

  it('writes nothing when the terms changed since the page was shown', async () => {
    await ensureConsentPurposes();
    const customer = await createCustomer({ email: uniqueEmail(), firstName: null, onboarded: false });
    expect(await completeOnboarding(customer.id, { firstName: 'Zoé', acceptedTermsVersion: 99 })).toEqual({
      ok: false,
      reason: 'terms-changed',
    });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: customer.id } })).firstName).toBeNull();
    expect(await prisma.consentReceipt.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it('runs once: a second submission changes nothing and writes no event', async () => {
    await ensureConsentPurposes();
    const customer = await createCustomer({ email: uniqueEmail(), firstName: null, onboarded: false });
    await completeOnboarding(customer.id, { firstName: 'Ada', acceptedTermsVersion: 1 });
    expect(await completeOnboarding(customer.id, { firstName: 'Eve', acceptedTermsVersion: 1 })).toEqual({
      ok: false,
      reason: 'already-done',
    });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: customer.id } })).firstName).toBe('Ada');
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id } })).toBe(2);
  });
});
