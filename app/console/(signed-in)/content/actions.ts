'use server';

import { revalidatePath } from 'next/cache';

import { rateLimitedResult, type ActionFailure } from '@/lib/action-result';
import type { Rule } from '@/lib/personalization/catalogue';
import { EstimateSchema, fieldErrorsByPath, SaveBlockSchema, SaveSegmentSchema } from '@/lib/validation/content-editor';
import { countAudience, type AudienceEstimate } from '@/server/personalization/audience';
import { getContentSet, saveRevision, type ContentError } from '@/server/personalization/content';
import { errorMessage, getLogger } from '@/server/platform/log';
import { consume } from '@/server/platform/rate-limit';
import { requirePermission } from '@/server/staff/auth';

// The block and segment editors save drafts (revisions) through saveRevision, which audits them;
// publishing is the history page's. docs/decisions/035-personalization.md §6

export type SaveContentResult = { ok: true; objectId: string; revisionId: string; number: number } | ActionFailure;
export type EstimateResult = { ok: true; estimate: AudienceEstimate } | ActionFailure;

const NOT_FOUND: ActionFailure = { ok: false, message: 'console.content.editor.notFound' };

function failure(error: ContentError): ActionFailure {
  switch (error.error) {
    case 'stale':
      return { ok: false, message: 'console.content.editor.stale' };
    case 'key-taken':
      return { ok: false, fieldErrors: { key: 'console.content.editor.keyTaken' } };
    case 'invalid': {
      // JSON pointers into the saved object: /key, or the body's (a rule's, shown under the rule).
      const fieldErrors: Record<string, string> = {};
      for (const { path, message } of error.issues) {
        const field =
          path === '/key' ? 'key' : path.startsWith('/rule') ? 'body.rule' : `body${path.replaceAll('/', '.')}`;
        fieldErrors[field] ??= message;
      }
      return { ok: false, fieldErrors };
    }
    default:
      // Another slot's or type's id, or none: the same answer as an unknown one.
      return NOT_FOUND;
  }
}

/** A draft of a block: a new block of a slot, or a revision of one, against the revision the form loaded. */
export async function saveBlockAction(input: unknown): Promise<SaveContentResult> {
  const actor = await requirePermission('content.edit');
  const parsed = SaveBlockSchema.safeParse(input);
  if (!parsed.success) {
    const errors = fieldErrorsByPath(parsed.error.issues);
    return errors.objectId || errors.slot || errors.expectedLatestRevisionId
      ? NOT_FOUND
      : { ok: false, fieldErrors: errors };
  }
  const { objectId, slot, key, expectedLatestRevisionId, body } = parsed.data;
  const saved = await saveRevision(actor.audit, { objectId, type: 'block', key, slot, body, expectedLatestRevisionId });
  if (!saved.ok) return failure(saved);
  revalidatePath('/console/content', 'layout');
  return saved;
}

/** A draft of a segment (a saved rule blocks refer to by key). */
export async function saveSegmentAction(input: unknown): Promise<SaveContentResult> {
  const actor = await requirePermission('content.edit');
  const parsed = SaveSegmentSchema.safeParse(input);
  if (!parsed.success) {
    const errors = fieldErrorsByPath(parsed.error.issues);
    return errors.objectId || errors.expectedLatestRevisionId ? NOT_FOUND : { ok: false, fieldErrors: errors };
  }
  const { objectId, key, expectedLatestRevisionId, body } = parsed.data;
  const saved = await saveRevision(actor.audit, {
    objectId,
    type: 'segment',
    key,
    slot: null,
    body,
    expectedLatestRevisionId,
  });
  if (!saved.ok) return failure(saved);
  revalidatePath('/console/content', 'layout');
  return saved;
}

/**
 * How many customers a rule reaches, counted among those whose personalization grant is in
 * effect only. An aggregate, so not audited; rate-limited because each one counts every customer.
 */
export async function estimateAudienceAction(input: unknown): Promise<EstimateResult> {
  const actor = await requirePermission('content.view');
  const parsed = EstimateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.content.estimate.invalidRule' };
  const rule: Rule = parsed.data.rule;
  const limit = await consume([['estimatePerMember', actor.id]]);
  if (!limit.ok) return rateLimitedResult(limit.retryAfterSeconds);
  try {
    const { segments } = await getContentSet();
    return { ok: true, estimate: await countAudience(rule, segments) };
  } catch (error) {
    // A statement past its 5 s timeout, most often: the figures are a convenience, the page stays usable.
    getLogger().warn({ component: 'console-content' }, `estimate failed: ${errorMessage(error)}`);
    return { ok: false, message: 'console.content.estimate.failed' };
  }
}
