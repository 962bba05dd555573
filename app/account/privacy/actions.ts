'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import { deleteAccountSchema } from '@/lib/validation/account-deletion';
import { SetAppAccessSchema } from '@/lib/validation/app-access';
import { SetConsentSchema } from '@/lib/validation/consent';
import { setAppAccess } from '@/server/consent/app-access';
import { setConsent } from '@/server/consent/consent';
import { deleteCustomer } from '@/server/customers/account';
import { requireCustomer, stepUpRequired } from '@/server/identity/auth';
import { deleteSessionCookies } from '@/server/platform/cookies';

/** One click on the dashboard: effective at once, with its receipt. */
export async function setConsentAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = SetConsentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'privacy.unknownPurpose' };
  const result = await setConsent(customer.id, parsed.data, {
    channel: 'portal',
    collectionMethod: 'privacy-dashboard',
  });
  revalidatePath('/account', 'layout');
  if (result.ok) return { ok: true };
  const messages = {
    'version-changed': 'privacy.versionChanged',
    required: 'privacy.requiredPurpose',
    'unknown-purpose': 'privacy.unknownPurpose',
    'not-found': 'profile.notFound',
  };
  return { ok: false, message: messages[result.reason] };
}

/** "Apps with access": withdraw an app's access to the signed-in customer's data, or allow it again; effective at once. */
export async function setAppAccessAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = SetAppAccessSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'privacy.unknownApp' };
  const result = await setAppAccess(customer.id, parsed.data.appId, parsed.data.allowed, { channel: 'portal' });
  // Not revalidated on failure: the message stays next to the app it is about.
  if (!result.ok)
    return { ok: false, message: result.reason === 'unknown-app' ? 'privacy.unknownApp' : 'profile.notFound' };
  revalidatePath('/account', 'layout');
  return { ok: true };
}

/**
 * The export button asks here first: with a recent sign-in, the page then
 * downloads /account/privacy/export (which checks again); without, it asks for step-up.
 */
export async function startExportAction(): Promise<ActionResult> {
  const customer = await requireCustomer();
  return stepUpRequired(customer) ?? { ok: true };
}

export async function deleteAccountAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = deleteAccountSchema(customer.email).safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  const result = await deleteCustomer(customer.id, { channel: 'portal' });
  if (!result.ok) return { ok: false, message: 'profile.notFound' };
  // The session row is gone with the customer; the cookie goes too.
  await deleteSessionCookies();
  redirect('/account-deleted');
}
