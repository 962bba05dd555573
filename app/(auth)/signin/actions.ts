'use server';

import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { getLocale } from 'next-intl/server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';

import {
  codeFailureResult,
  fieldErrorsFrom,
  passkeyFailureResult,
  rateLimitedResult,
  type ActionResult,
} from '@/lib/action-result';
import { formField } from '@/lib/form-field';
import { isLocale } from '@/lib/i18n/config';
import { returnDestination } from '@/lib/oidc/interaction-path';
import { safeReturnPath } from '@/lib/safe-redirect';
import { CeremonySchema } from '@/lib/validation/passkey';
import { ConfirmLinkSchema, RequestSignInSchema, VerifyCodeSchema } from '@/lib/validation/sign-in';
import { getCustomerStatus } from '@/server/customers/account';
import { startSession } from '@/server/identity/auth';
import { finishPasskeyAuthentication, startPasskeyAuthentication } from '@/server/identity/passkeys';
import { confirmLink, requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { deleteCookie, readCookie, setCookie } from '@/server/platform/cookies';
import { getRequestContext } from '@/server/platform/request-context';

import { getChallengeEmail } from './challenge';

export async function requestSignInAction(input: unknown, returnTo?: unknown): Promise<ActionResult> {
  const parsed = RequestSignInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { ip } = await getRequestContext();
  const locale = await getLocale();
  const result = await requestSignIn(parsed.data.email, ip, isLocale(locale) ? locale : 'en');
  if (!result.ok) return rateLimitedResult(result.retryAfterSeconds);
  await setCookie('signInChallenge', result.challengeId);
  const path = safeReturnPath(returnTo, '');
  if (path) await setCookie('returnTo', path);
  else await deleteCookie('returnTo');
  redirect('/signin/code');
}

/** "Send a new code" on the code page: same limits, same answer. */
export async function resendCodeAction(): Promise<ActionResult> {
  const email = await getChallengeEmail({ includeEnded: true });
  if (!email) redirect('/signin');
  const { ip } = await getRequestContext();
  const locale = await getLocale();
  const result = await requestSignIn(email, ip, isLocale(locale) ? locale : 'en');
  if (!result.ok) return rateLimitedResult(result.retryAfterSeconds);
  await setCookie('signInChallenge', result.challengeId);
  // The page says again whether this mail went or is queued.
  revalidatePath('/signin/code');
  return { ok: true };
}

async function finishSignIn(
  result: { customerId: string; onboarded: boolean },
  method: 'email-code' | 'email-link' | 'passkey',
): Promise<never> {
  await startSession(result.customerId, method);
  const returnTo = safeReturnPath(await readCookie('returnTo'));
  await deleteCookie('signInChallenge');
  // A new customer's first-name step comes first; the cookie takes them on afterwards (app/(auth)/welcome).
  if (!result.onboarded) redirect('/welcome');
  await deleteCookie('returnTo');
  redirect(returnDestination(returnTo));
}

export async function verifyCodeAction(input: unknown): Promise<ActionResult> {
  const parsed = VerifyCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const challengeId = await readCookie('signInChallenge');
  if (!challengeId) return { ok: false, message: 'code.expired' };
  const { ip } = await getRequestContext();
  const result = await verifyCode(challengeId, parsed.data.code, ip);
  if (result.ok) return finishSignIn(result, 'email-code');
  return codeFailureResult(result);
}

/** The button on the link's confirmation page: the only request that uses the link. */
export async function confirmLinkAction(formData: unknown): Promise<void> {
  const parsed = ConfirmLinkSchema.safeParse({ token: formField(formData, 'token') });
  if (!parsed.success) redirect('/signin/confirm?error=invalid');
  const result = await confirmLink(parsed.data.token);
  if (!result.ok) redirect('/signin/confirm?error=invalid');
  await finishSignIn(result, 'email-link');
}

/** Options for a passkey sign-in (browser autofill or the button): any passkey of this site. */
export async function startPasskeySignInAction(returnTo?: unknown): Promise<{
  ceremonyId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}> {
  // Bound by the page to its `next` (an app's sign-in request), as the email form posts it.
  const path = safeReturnPath(returnTo, '');
  if (path) await setCookie('returnTo', path);
  else await deleteCookie('returnTo');
  return startPasskeyAuthentication('authenticate');
}

/** A verified assertion starts an ordinary database session, as the email code does. */
export async function finishPasskeySignInAction(input: unknown): Promise<ActionResult> {
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'passkey.invalid' };
  const { ip } = await getRequestContext();
  const result = await finishPasskeyAuthentication(
    parsed.data.ceremonyId,
    parsed.data.response as unknown as AuthenticationResponseJSON,
    { ip },
  );
  if (!result.ok) return passkeyFailureResult(result);
  const status = await getCustomerStatus(result.customerId);
  return finishSignIn({ customerId: result.customerId, onboarded: status.onboarded }, 'passkey');
}
