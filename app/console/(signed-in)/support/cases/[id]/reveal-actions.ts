'use server';

import { forbidden } from 'next/navigation';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import { RevealSchema } from '@/lib/validation/support';
import { requirePermission } from '@/server/staff/auth';
import { revealField } from '@/server/support/customer-view';

/**
 * One field, a reason from the list and a ticket reference, in the agent's own
 * open case; anything else is 403 with nothing written. The value itself comes
 * with the page's next render (the form refreshes it), which logs it for the customer.
 */
export async function revealFieldAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('customer.reveal');
  const parsed = RevealSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await revealField(actor, typeof caseId === 'string' ? caseId : '', parsed.data);
  if (!result.ok) {
    if (result.reason === 'forbidden') forbidden();
    return { ok: false, fieldErrors: { field: 'console.support.view.noValue' } };
  }
  return { ok: true };
}
