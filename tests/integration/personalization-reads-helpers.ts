// Test data for the reads of personalization data (preferences and signals by
// apps, views, webhooks, export), written with SQL: the write paths are
// another engineer's (server/personalization/preferences.ts, signals.ts).
import { setConsent } from '@/server/consent/consent';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';

export async function readsPrepare(): Promise<void> {
  await applyPersonalizationReferenceData();
}

/** The customer's answer to the personalization purpose, at its current version. */
export async function readsAnswerPersonalization(customerId: string, granted: boolean): Promise<void> {
  const { currentVersion } = await prisma.consentPurpose.findUniqueOrThrow({
    where: { key: 'personalization' },
    select: { currentVersion: true },
  });
  const result = await setConsent(
    customerId,
    { purposeKey: 'personalization', version: currentVersion, granted },
    { channel: 'portal', collectionMethod: 'test' },
  );
  if (!result.ok) throw new Error(`consent refused: ${JSON.stringify(result)}`);
}

export type ReadsPreference = { name: string; value: string; channel?: string; appId?: string | null; setAt?: Date };

/** Preference rows, their history and the state's version, as the write path would leave them. */
export async function readsInsertPreferences(
  customerId: string,
  values: ReadsPreference[],
  version = 1,
): Promise<void> {
  await prisma.$transaction([
    prisma.customerPreference.createMany({
      data: values.map((v) => ({
        customerId,
        name: v.name,
        value: v.value,
        channel: v.channel ?? 'portal',
        appId: v.appId ?? null,
        ...(v.setAt ? { setAt: v.setAt } : {}),
      })),
    }),
    prisma.preferenceChange.createMany({
      data: values.map((v) => ({
        customerId,
        version,
        name: v.name,
        oldValue: null,
        newValue: v.value,
        channel: v.channel ?? 'portal',
      })),
    }),
    prisma.personalizationState.upsert({
      where: { customerId },
      create: { customerId, preferencesVersion: version },
      update: { preferencesVersion: version },
    }),
  ]);
}

export async function readsInsertSignal(
  customerId: string,
  signal: { kind: string; category: string; item?: string | null; appId?: string | null; occurredAt?: Date },
): Promise<string> {
  const row = await prisma.customerSignal.create({
    data: {
      customerId,
      kind: signal.kind,
      category: signal.category,
      item: signal.item ?? null,
      appId: signal.appId ?? null,
      occurredAt: signal.occurredAt ?? new Date(),
    },
    select: { id: true },
  });
  return row.id.toString();
}

export const readsDaysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);
