'use server';

import { revalidatePath } from 'next/cache';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import {
  DecidePublicationSchema,
  PublishRevisionSchema,
  RevertSchema,
  UnpublishSchema,
} from '@/lib/validation/content-publish';
import { decidePublication, requestPublication, revert, unpublish } from '@/server/personalization/content';
import { requirePermission } from '@/server/staff/auth';

import { contentFailure } from './content-errors';

// Publishing from a block's history (docs/decisions/035-personalization.md §4, §6): each action
// sends back the live revision the page showed, so a change made since by someone else is
// refused as stale instead of being overwritten. The functions audit in their transaction.

export type PublishResult = { ok: true; status: 'applied' | 'pending' | 'rejected' | 'stale' } | ActionResult;

const NOT_FOUND = { ok: false, message: 'console.content.history.errors.notFound' } as const;

function done(objectId: string): void {
  revalidatePath(`/console/content/blocks/${objectId}/history`);
  revalidatePath('/console/content');
}

export async function publishRevisionAction(input: unknown): Promise<PublishResult> {
  const actor = await requirePermission('content.publish');
  const parsed = PublishRevisionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await requestPublication(actor.audit, parsed.data);
  if (!result.ok) return contentFailure(result);
  done(parsed.data.objectId);
  return { ok: true, status: result.status };
}

export async function unpublishAction(input: unknown): Promise<PublishResult> {
  const actor = await requirePermission('content.publish');
  const parsed = UnpublishSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const result = await unpublish(actor.audit, parsed.data);
  if (!result.ok) return contentFailure(result);
  done(parsed.data.objectId);
  return { ok: true, status: 'applied' };
}

export async function revertAction(input: unknown): Promise<PublishResult> {
  const actor = await requirePermission('content.publish');
  const parsed = RevertSchema.safeParse(input);
  if (!parsed.success) return NOT_FOUND;
  const result = await revert(actor.audit, parsed.data);
  if (!result.ok) return contentFailure(result);
  done(parsed.data.objectId);
  return { ok: true, status: 'applied' };
}

/** Approve or reject another member's pending publication (the function refuses one's own). */
export async function decidePublicationAction(input: unknown): Promise<PublishResult> {
  const actor = await requirePermission('content.publish');
  const parsed = DecidePublicationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { objectId, ...decision } = parsed.data;
  const result = await decidePublication(actor.audit, decision);
  if (!result.ok) return contentFailure(result);
  done(objectId);
  return { ok: true, status: result.status };
}
