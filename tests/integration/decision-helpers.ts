// Content and customer data for the decision's tests, written with SQL as the content and
// writes engineers' functions store them (content_objects, content_revisions, live_revision_id,
// content_state; customer_preferences, personalization_states; setConsent).
import { createHash, randomUUID } from 'node:crypto';

import type { Slot } from '@/lib/personalization/catalogue';
import type { BlockBody } from '@/lib/validation/content';
import { setConsent } from '@/server/consent/consent';
import { getContentSet } from '@/server/personalization/content';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';

export const uniqueKey = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

/** As a publication in this process does: the next decision sees the new version. */
async function refreshContentSet(): Promise<void> {
  const [state] = await prisma.$queryRaw<Array<{ version: number }>>`SELECT version FROM content_state WHERE id = 1`;
  await getContentSet({ version: Number(state!.version) });
}

/** Nothing live: each test publishes what it decides on. */
export async function resetContent(): Promise<void> {
  await prisma.$executeRaw`UPDATE content_objects SET live_revision_id = NULL WHERE live_revision_id IS NOT NULL`;
  await prisma.$executeRaw`UPDATE content_state SET version = version + 1, updated_at = now() WHERE id = 1`;
  await refreshContentSet();
}

export function blockBody(overrides: Partial<BlockBody> & { tag?: string } = {}): BlockBody {
  const { tag = 'block', ...rest } = overrides;
  return {
    title: { en: `${tag} title`, fr: `titre ${tag}` },
    text: { en: `${tag} text`, fr: `texte ${tag}` },
    image: null,
    cta: { label: { en: 'Go', fr: 'Aller' }, url: `/shop/${tag}` },
    startsAt: null,
    endsAt: null,
    priority: 0,
    generic: true,
    rule: {},
    ...rest,
  };
}

/** A new live revision of the object (created when new), and a new content version. */
export async function publishContent(
  type: 'block' | 'segment' | 'settings',
  key: string,
  slot: Slot | null,
  body: unknown,
  opts: { refresh?: boolean } = {},
): Promise<{ objectId: string; revisionId: string }> {
  const published = await prisma.$transaction(async (tx) => {
    const existing = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id::text FROM content_objects WHERE type = ${type} AND key = ${key}`;
    const objectId = existing[0]?.id ?? randomUUID();
    if (!existing[0]) {
      await tx.$executeRaw`INSERT INTO content_objects (id, type, key, slot) VALUES (${objectId}::uuid, ${type}, ${key}, ${slot})`;
    }
    const revisionId = randomUUID();
    await tx.$executeRaw`
      INSERT INTO content_revisions (id, object_id, number, body, author_label)
      SELECT ${revisionId}::uuid, ${objectId}::uuid, coalesce(max(number), 0) + 1, ${JSON.stringify(body)}::jsonb, 'test'
      FROM content_revisions WHERE object_id = ${objectId}::uuid`;
    await tx.$executeRaw`UPDATE content_objects SET live_revision_id = ${revisionId}::uuid WHERE id = ${objectId}::uuid`;
    await tx.$executeRaw`UPDATE content_state SET version = version + 1, updated_at = now() WHERE id = 1`;
    return { objectId, revisionId };
  });
  // refresh: false publishes as another instance would (this process learns it from the version).
  if (opts.refresh ?? true) await refreshContentSet();
  return published;
}

export async function publishBlock(
  slot: Slot,
  overrides: Partial<BlockBody> & { tag?: string } = {},
  opts: { refresh?: boolean } = {},
) {
  const key = uniqueKey(overrides.tag ?? 'block');
  return { key, ...(await publishContent('block', key, slot, blockBody({ ...overrides, tag: key }), opts)) };
}

/** The brand-wide holdout (the one settings object). */
export async function publishHoldout(holdoutPercent: number, opts: { refresh?: boolean } = {}): Promise<void> {
  const existing = await prisma.$queryRaw<Array<{ key: string }>>`
    SELECT key FROM content_objects WHERE type = 'settings' ORDER BY created_at LIMIT 1`;
  await publishContent('settings', existing[0]?.key ?? 'settings', null, { holdoutPercent }, opts);
}

/** An image row as the store keeps it (sha256 of the bytes, stored size). */
export async function storeTestImage(width: number, height: number): Promise<string> {
  const bytes = Buffer.from(randomUUID());
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await prisma.$executeRaw`
    INSERT INTO content_images (id, sha256, width, height, size, bytes, uploaded_by)
    VALUES (${randomUUID()}::uuid, ${sha256}, ${width}, ${height}, ${bytes.length}, ${bytes}, 'test')`;
  return sha256;
}

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
  if (!result.ok) throw new Error(`consent not recorded: ${result.reason}`);
}

/** A preference value set on the portal, with the state's version bumped as the write path does. */
export async function addPreference(customerId: string, name: string, value: string): Promise<void> {
  await prisma.$transaction([
    prisma.$executeRaw`
      INSERT INTO customer_preferences (customer_id, name, value, channel) VALUES (${customerId}::uuid, ${name}, ${value}, 'portal')`,
    prisma.$executeRaw`
      INSERT INTO personalization_states (customer_id, preferences_version) VALUES (${customerId}::uuid, 1)
      ON CONFLICT (customer_id) DO UPDATE SET preferences_version = personalization_states.preferences_version + 1`,
  ]);
}

export async function accessLogCount(customerId: string): Promise<number> {
  return prisma.dataAccessLog.count({ where: { customerId } });
}

/** A signal recorded on this site, with the state's version bumped as the write path does. */
export async function addSignal(customerId: string, kind: string, category: string, occurredAt: Date): Promise<void> {
  await applyPersonalizationReferenceData();
  await prisma.$transaction([
    prisma.$executeRaw`
      INSERT INTO customer_signals (customer_id, kind, category, occurred_at)
      VALUES (${customerId}::uuid, ${kind}, ${category}, ${occurredAt})`,
    prisma.$executeRaw`
      INSERT INTO personalization_states (customer_id, signals_version) VALUES (${customerId}::uuid, 1)
      ON CONFLICT (customer_id) DO UPDATE SET signals_version = personalization_states.signals_version + 1`,
  ]);
}
