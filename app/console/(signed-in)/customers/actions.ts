'use server';

import { redirect } from 'next/navigation';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import { isUuid } from '@/lib/uuid';
import { EraseCustomerSchema, FindCustomerSchema } from '@/lib/validation/data-request';
import { requirePermission } from '@/server/staff/auth';
import { eraseCustomer, findCustomerByEmail } from '@/server/staff/data-requests';

/** Exact email and a reason; found, the customer's page opens (its view is audited there). */
export async function findCustomerAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('customers.find');
  const parsed = FindCustomerSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await findCustomerByEmail(actor, parsed.data);
  if (!result.found) return { ok: false, fieldErrors: { email: 'console.customers.notFound' } };
  redirect(`/console/customers/${result.customerId}`);
}

/** Erasure on a verified request: reason, request reference and the address typed again. */
export async function eraseCustomerAction(customerId: unknown, input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('customer.erase');
  const parsed = EraseCustomerSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  if (!isUuid(customerId)) return { ok: false, message: 'console.customers.erase.notFound' };
  const result = await eraseCustomer(actor, customerId, parsed.data);
  if (!result.ok)
    return result.reason === 'email-mismatch'
      ? { ok: false, fieldErrors: { confirmation: 'dataRequest.emailMismatch' } }
      : { ok: false, message: 'console.customers.erase.notFound' };
  redirect('/console/customers?erased=1');
}
