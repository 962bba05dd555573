import 'server-only';
import type { Locale } from '@/lib/i18n/config';
import { getCurrentTerms, recordConsent } from './consent';
import { prisma } from './db';
import { writeEvent } from './outbox';

/**
 * The one onboarding step: first name and the terms. The name, the consent
 * receipt and both events commit together or not at all.
 */
export async function completeOnboarding(
  customerId: string,
  input: { firstName: string; acceptedTermsVersion: number },
): Promise<{ ok: true } | { ok: false; reason: 'terms-changed' | 'already-done' }> {
  const terms = await getCurrentTerms();
  if (terms.version !== input.acceptedTermsVersion) return { ok: false, reason: 'terms-changed' };
  return prisma.$transaction(async (tx) => {
    const updated = await tx.user.updateMany({
      where: { id: customerId, onboardedAt: null },
      data: { firstName: input.firstName, onboardedAt: new Date(), version: { increment: 1 } },
    });
    if (updated.count === 0) return { ok: false, reason: 'already-done' } as const;
    await recordConsent(tx, { customerId, purpose: terms, granted: true, collectionMethod: 'signup-form', channel: 'portal' });
    await writeEvent(tx, 'customer.updated', customerId, { fields: ['firstName'], channel: 'portal' });
    await writeEvent(tx, 'consent.updated', customerId, { purpose: terms.key, version: terms.version, granted: true, channel: 'portal' });
    return { ok: true } as const;
  });
}

/** The language the customer chose with the switcher, saved for every device and every mail. */
export async function setCustomerLocale(customerId: string, locale: Locale): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const changed = await tx.user.updateMany({
      where: { id: customerId, NOT: { locale } },
      data: { locale, version: { increment: 1 } },
    });
    if (changed.count > 0) await writeEvent(tx, 'customer.updated', customerId, { fields: ['locale'], channel: 'portal' });
  });
}

export async function getAccountOverview(customerId: string): Promise<{ firstName: string | null; email: string } | null> {
  return prisma.user.findUnique({ where: { id: customerId }, select: { firstName: true, email: true } });
}

export async function getCustomerStatus(customerId: string): Promise<{ onboarded: boolean }> {
  const row = await prisma.user.findUnique({ where: { id: customerId }, select: { onboardedAt: true } });
  return { onboarded: Boolean(row?.onboardedAt) };
}
