// Personalization data for the rules engineer's tests, inserted directly (the write paths are
// another engineer's, and these tests need instants in the past and in bulk).
import { randomUUID } from 'node:crypto';

import type { SignalKind } from '@/lib/personalization/catalogue';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

export const DAY = 86_400_000;

export async function prepareReferenceData(): Promise<void> {
  await applyPersonalizationReferenceData();
}

export async function createTestApp(): Promise<{ id: string; clientId: string; name: string }> {
  const tag = randomUUID().slice(0, 8);
  return prisma.app.create({
    data: {
      name: `rules-app-${tag}`,
      clientId: `rules-${tag}`,
      clientSecretHash: '0'.repeat(64),
      purposes: ['personalization'],
      fieldPurposes: { preferences: ['personalization'], signals: ['personalization'] },
      scopes: [],
    },
    select: { id: true, clientId: true, name: true },
  });
}

export function receipt(customerId: string, granted: boolean, at = new Date(Date.now() - DAY)) {
  return {
    customerId,
    subjectPseudonym: subjectPseudonym(customerId),
    purposeKey: 'personalization',
    purposeVersion: 1,
    granted,
    collectionMethod: 'test',
    channel: 'portal',
    jurisdiction: 'EU',
    policyUrl: '/legal/privacy',
    createdAt: at,
  };
}

export async function answerPersonalization(customerId: string, granted: boolean, at?: Date): Promise<void> {
  await prisma.consentReceipt.create({ data: receipt(customerId, granted, at) });
}

export type SignalSeed = { kind: SignalKind; category: string; occurredAt: Date; appId?: string | null };

export async function insertSignals(customerId: string, signals: SignalSeed[]): Promise<void> {
  await prisma.customerSignal.createMany({
    data: signals.map((s) => ({
      customerId,
      kind: s.kind,
      category: s.category,
      occurredAt: s.occurredAt,
      appId: s.appId ?? null,
    })),
  });
}

export async function insertPreferences(
  customerId: string,
  preferences: Array<{ name: string; value: string; appId?: string | null }>,
): Promise<void> {
  await prisma.customerPreference.createMany({
    data: preferences.map((p) => ({
      customerId,
      name: p.name,
      value: p.value,
      channel: p.appId ? 'app' : 'portal',
      appId: p.appId ?? null,
    })),
  });
}
