'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';

import { formField } from '@/lib/form-field';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { requireCustomer } from '@/server/identity/auth';
import { cancelRecoveryByToken, cancelRecoveryForCustomer } from '@/server/support/recovery';

/** The notice's link (mail or SMS): works without a session, the token is the proof. */
export async function cancelRecoveryLinkAction(formData: unknown): Promise<void> {
  const parsed = EmailChangeTokenSchema.safeParse({ token: formField(formData, 'token') });
  if (!parsed.success) redirect('/recovery/cancel?status=invalid');
  const result = await cancelRecoveryByToken(parsed.data.token);
  redirect(`/recovery/cancel?status=${result.ok ? 'done' : 'invalid'}`);
}

/** The banner on /account: any session of the customer may stop a recovery in its hold. */
export async function cancelMyRecoveryAction(): Promise<void> {
  const customer = await requireCustomer({ returnTo: '/account' });
  const result = await cancelRecoveryForCustomer(customer.id);
  revalidatePath('/account');
  redirect(`/account?recovery=${result.ok ? 'cancelled' : 'error'}`);
}
