import { expect } from 'vitest';

import { setConsent } from '@/server/consent/consent';
import { prisma } from '@/server/platform/db';

/** The customer answers the personalization purpose's current text, as on /account/privacy. */
export async function answerPersonalization(customerId: string, granted: boolean): Promise<void> {
  const purpose = await prisma.consentPurpose.findUniqueOrThrow({
    where: { key: 'personalization' },
    select: { currentVersion: true },
  });
  const result = await setConsent(
    customerId,
    { purposeKey: 'personalization', version: purpose.currentVersion, granted },
    { channel: 'portal', collectionMethod: 'test' },
  );
  expect(result.ok).toBe(true);
}

/** What a signal write leaves behind for a customer. */
export const signalTrace = async (customerId: string) => ({
  signals: await prisma.customerSignal.count({ where: { customerId } }),
  events: await prisma.outboxEvent.count({ where: { customerId, type: { startsWith: 'customer.signal' } } }),
  version:
    (await prisma.personalizationState.findUnique({ where: { customerId }, select: { signalsVersion: true } }))
      ?.signalsVersion ?? 0,
});

/** What a preferences write leaves behind for a customer. */
export const preferenceTrace = async (customerId: string) => ({
  values: await prisma.customerPreference.count({ where: { customerId } }),
  history: await prisma.preferenceChange.count({ where: { customerId } }),
  events: await prisma.outboxEvent.count({ where: { customerId, type: 'customer.preferences_updated' } }),
  version:
    (await prisma.personalizationState.findUnique({ where: { customerId }, select: { preferencesVersion: true } }))
      ?.preferencesVersion ?? 0,
});
