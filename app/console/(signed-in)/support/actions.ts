'use server';

import { revalidatePath } from 'next/cache';
import { forbidden, redirect } from 'next/navigation';

import { fieldErrorsFrom, rateLimitedResult, type ActionResult } from '@/lib/action-result';
import { CaseNoteSchema, SupportCodeSchema, VerificationRequestSchema } from '@/lib/validation/support-case';
import { requirePermission } from '@/server/staff/auth';
import { addCaseNote, closeCase } from '@/server/support/cases';
import { verifySupportCode } from '@/server/support/codes';
import { openCaseFromApprovedRequest, sendVerificationRequest } from '@/server/support/verification';

/** The customer's exact email and the code they read out: a match opens a case. */
export async function verifySupportCodeAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.verify');
  const parsed = SupportCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await verifySupportCode(actor, parsed.data);
  if (!result.ok)
    return result.reason === 'rate-limited'
      ? rateLimitedResult(result.retryAfterSeconds)
      : { ok: false, message: 'console.support.find.codeRefused' };
  redirect(`/console/support/cases/${result.caseId}`);
}

/** Sends a request to the customer's open portal session; the agent waits on its page. */
export async function sendVerificationRequestAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.verify');
  const parsed = VerificationRequestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await sendVerificationRequest(actor, parsed.data.email);
  if (!result.ok)
    return result.reason === 'rate-limited'
      ? rateLimitedResult(result.retryAfterSeconds)
      : { ok: false, message: 'console.support.find.requestRefused' };
  redirect(`/console/support/requests/${result.requestId}`);
}

/** The waiting page's "open the case" once the customer approved. */
export async function openApprovedCaseAction(requestId: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.verify');
  const caseId = typeof requestId === 'string' ? await openCaseFromApprovedRequest(actor, requestId) : null;
  if (!caseId) return { ok: false, message: 'console.support.request.notApproved' };
  redirect(`/console/support/cases/${caseId}`);
}

export async function addCaseNoteAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.verify');
  const parsed = CaseNoteSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  if (typeof caseId !== 'string' || !(await addCaseNote(actor, caseId, parsed.data.body))) forbidden();
  revalidatePath(`/console/support/cases/${caseId}`);
  return { ok: true };
}

export async function closeCaseAction(caseId: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.verify');
  if (typeof caseId !== 'string' || !(await closeCase(actor, caseId))) forbidden();
  revalidatePath(`/console/support/cases/${caseId}`);
  return { ok: true };
}
