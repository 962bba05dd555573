'use server';

import { revalidatePath } from 'next/cache';

import { fieldErrorsFrom } from '@/lib/action-result';
import { HoldoutSettingsSchema } from '@/lib/validation/content-publish';
import { listContent, requestPublication, saveRevision, SETTINGS_KEY } from '@/server/personalization/content';
import { requirePermission } from '@/server/staff/auth';

import type { PublishResult } from '../blocks/[id]/history/actions';
import { contentFailure } from '../blocks/[id]/history/content-errors';

/**
 * The holdout is a settings revision published like a block (docs/decisions/035-personalization.md
 * §4, open question 5): the same two functions, so approval and the audit trail apply, no side door.
 */
export async function saveHoldoutAction(input: unknown): Promise<PublishResult> {
  const actor = await requirePermission('content.publish');
  const parsed = HoldoutSettingsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { holdoutPercent, expectedLatestRevisionId, expectedLiveRevisionId, note } = parsed.data;
  const current = (await listContent('settings')).find((o) => o.key === SETTINGS_KEY);
  const saved = await saveRevision(actor.audit, {
    objectId: current?.id ?? null,
    type: 'settings',
    key: SETTINGS_KEY,
    slot: null,
    body: { holdoutPercent },
    expectedLatestRevisionId,
  });
  if (!saved.ok) return contentFailure(saved);
  const published = await requestPublication(actor.audit, {
    objectId: saved.objectId,
    revisionId: saved.revisionId,
    expectedLiveRevisionId,
    note,
  });
  if (!published.ok) return contentFailure(published);
  revalidatePath('/console/content', 'layout');
  return { ok: true, status: published.status };
}
