'use server';

import { forbidden } from 'next/navigation';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import {
  AgreementSchema,
  SupportConsentSchema,
  SupportEmailChangeSchema,
  SupportFixAddressSchema,
} from '@/lib/validation/support-actions';
import { getRequestContext } from '@/server/platform/request-context';
import { requirePermission } from '@/server/staff/auth';
import {
  endAllSessions,
  fixAddress,
  recordConsentChange,
  resendEmailChange,
  startEmailChange,
  type AgentActionResult,
} from '@/server/support/agent-actions';

// Each action: the permission, the customer's agreement, then the agent's own open
// case (anything else is 403 with nothing written: server/support/agent-actions.ts).

const caseIdOf = (value: unknown) => (typeof value === 'string' ? value : '');
const M = 'console.support.actions';

function toActionResult(result: AgentActionResult<object>): ActionResult {
  if (result.ok) return { ok: true };
  switch (result.reason) {
    case 'forbidden':
      forbidden();
    case 'rate-limited':
      return { ok: false, message: `${M}.rateLimited`, values: { seconds: result.retryAfterSeconds } };
    case 'none-pending':
      return { ok: false, message: `${M}.resend.nonePending` };
    case 'same-address':
      return { ok: false, fieldErrors: { newEmail: `${M}.emailChange.sameAddress` } };
    case 'unknown-purpose':
      return { ok: false, fieldErrors: { purposeKey: `${M}.purposeInvalid` } };
    case 'required':
      return { ok: false, fieldErrors: { granted: `${M}.consent.required` } };
    case 'not-found':
      return { ok: false, message: 'common.genericError' };
  }
}

export async function resendEmailChangeAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.act');
  const parsed = AgreementSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  return toActionResult(await resendEmailChange(actor, caseIdOf(caseId), (await getRequestContext()).ip));
}

export async function endAllSessionsAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.act');
  const parsed = AgreementSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  return toActionResult(await endAllSessions(actor, caseIdOf(caseId)));
}

export async function fixAddressAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.act');
  const parsed = SupportFixAddressSchema.safeParse(input);
  // The address's own fields are named by their path ("address.city") for the form.
  if (!parsed.success)
    return {
      ok: false,
      fieldErrors: fieldErrorsFrom(parsed.error.issues.map((i) => ({ ...i, path: [i.path.map(String).join('.')] }))),
    };
  const result = await fixAddress(actor, caseIdOf(caseId), parsed.data);
  if (!result.ok && result.reason === 'invalid') return { ok: false, message: 'common.genericError' };
  return toActionResult(result);
}

export async function startEmailChangeAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.act');
  const parsed = SupportEmailChangeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  return toActionResult(
    await startEmailChange(actor, caseIdOf(caseId), parsed.data.newEmail, (await getRequestContext()).ip),
  );
}

export async function recordConsentAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('support.act');
  const parsed = SupportConsentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  return toActionResult(await recordConsentChange(actor, caseIdOf(caseId), parsed.data));
}
