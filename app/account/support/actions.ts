'use server';

import { revalidatePath } from 'next/cache';

import { rateLimitedResult, type ActionFailure, type ActionResult } from '@/lib/action-result';
import { requireCustomer, stepUpRequired } from '@/server/identity/auth';
import { issueSupportCode } from '@/server/support/codes';
import { decideVerificationRequest } from '@/server/support/verification';

/** A fresh support code for this session: shown once, never stored in clear. */
export async function showSupportCodeAction(): Promise<{ ok: true; code: string; expiresAt: string } | ActionFailure> {
  const customer = await requireCustomer();
  const issued = await issueSupportCode(customer);
  if (!issued.ok) return rateLimitedResult(issued.retryAfterSeconds);
  return { ok: true, code: issued.code, expiresAt: issued.expiresAt.toISOString() };
}

/** Approving lets an agent into a case on the customer's account: it needs a recent sign-in. */
export async function decideSupportRequestAction(requestId: unknown, decision: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  if (typeof requestId !== 'string' || (decision !== 'approved' && decision !== 'refused'))
    return { ok: false, message: 'support.request.gone' };
  if (decision === 'approved') {
    const stepUp = stepUpRequired(customer);
    if (stepUp) return stepUp;
  }
  const decided = await decideVerificationRequest(customer, requestId, decision);
  if (!decided) return { ok: false, message: 'support.request.gone' };
  revalidatePath('/account/support');
  return { ok: true };
}
