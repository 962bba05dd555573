'use server';

import { redirect } from 'next/navigation';

import { formField } from '@/lib/form-field';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { confirmEmailChangeLink, revertEmailChange } from '@/server/customers/email-change';
import { getSignedInCustomer } from '@/server/identity/auth';

// The buttons of the pages the mails link to: the only requests that use a
// token (opening a link only shows the page, so mail scanners spend nothing).
// They work without a session: the token is the proof.

export async function confirmEmailChangeLinkAction(formData: unknown): Promise<void> {
  const parsed = EmailChangeTokenSchema.safeParse({ token: formField(formData, 'token') });
  if (!parsed.success) redirect('/email-change/confirm?status=invalid');
  const result = await confirmEmailChangeLink(parsed.data.token);
  if (result.ok) {
    // This browser is signed in to the account that changed: offer to end its other sessions.
    const signedIn = await getSignedInCustomer();
    redirect(`/email-change/confirm?status=done${signedIn?.email === result.newEmail ? '&offer=sessions' : ''}`);
  }
  redirect(`/email-change/confirm?status=${result.reason === 'address-taken' ? 'taken' : 'invalid'}`);
}

export async function revertEmailChangeAction(formData: unknown): Promise<void> {
  const parsed = EmailChangeTokenSchema.safeParse({ token: formField(formData, 'token') });
  if (!parsed.success) redirect('/email-change/revert?status=invalid');
  const result = await revertEmailChange(parsed.data.token);
  if (result.ok) redirect('/email-change/revert?status=done');
  redirect(`/email-change/revert?status=${result.reason === 'address-taken' ? 'taken' : 'invalid'}`);
}
