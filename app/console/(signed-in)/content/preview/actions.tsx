'use server';

import type { ReactNode } from 'react';

import { fieldErrorsFrom, type ActionFailure } from '@/lib/action-result';
import { PreviewCustomerSchema } from '@/lib/validation/content-publish';
import { contentWithDraft, previewAsCustomer } from '@/server/personalization/preview';
import { requirePermission } from '@/server/staff/auth';

import { PreviewResult } from './preview-result';

/**
 * The home page as one customer sees it: a staff read, audited with the member's reason and in the
 * customer's "who looked at my data" (server/personalization/preview.ts). The answer is the
 * rendered preview, not the decision's data: the page keeps nothing of it.
 */
export async function previewCustomerAction(input: unknown): Promise<{ ok: true; view: ReactNode } | ActionFailure> {
  const actor = await requirePermission('content.view');
  const parsed = PreviewCustomerSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { email, sample, draft, reason, locale } = parsed.data;
  const content = draft ? await contentWithDraft(draft) : undefined;
  if (content === null) return { ok: false, message: 'console.content.preview.errors.draftNotFound' };
  const result = await previewAsCustomer(
    { id: actor.id, displayName: actor.displayName, audit: actor.audit },
    {
      target: sample ? { sampleToken: sample } : { email },
      reason,
      locale,
      content,
    },
  );
  if (!result.ok)
    return sample
      ? { ok: false, message: 'console.content.preview.errors.sampleExpired' }
      : { ok: false, fieldErrors: { email: 'console.content.preview.errors.notFound' } };
  return { ok: true, view: <PreviewResult decision={result.decision} /> };
}
