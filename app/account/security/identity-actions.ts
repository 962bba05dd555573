'use server';

import { revalidatePath } from 'next/cache';

import type { ActionResult } from '@/lib/action-result';
import { IdentityIdSchema } from '@/lib/validation/identity';
import { requireCustomer, stepUpRequired } from '@/server/identity/auth';
import { unlinkIdentity } from '@/server/identity/identities';

/**
 * Unlink on "Connected accounts", after step-up (a stolen session must not remove
 * the customer's way back in); refused if it would leave no way to sign in.
 */
export async function unlinkIdentityAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = IdentityIdSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'security.notFound' };
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  const result = await unlinkIdentity(customer.id, parsed.data.identityId);
  if (!result.ok)
    return { ok: false, message: result.reason === 'last-way' ? 'identities.lastWay' : 'security.notFound' };
  revalidatePath('/account/security');
  return { ok: true };
}
