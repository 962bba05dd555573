'use server';

import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { getLocale } from 'next-intl/server';
import { redirect } from 'next/navigation';

import {
  codeFailureResult,
  fieldErrorsFrom,
  passkeyFailureResult,
  rateLimitedResult,
  type ActionResult,
} from '@/lib/action-result';
import { isLocale } from '@/lib/i18n/config';
import { CeremonySchema } from '@/lib/validation/passkey';
import { VerifyCodeSchema } from '@/lib/validation/sign-in';
import { endSession, requireCustomer } from '@/server/identity/auth';
import { finishPasskeyAuthentication, startPasskeyAuthentication } from '@/server/identity/passkeys';
import { markSessionAuthenticated } from '@/server/identity/sessions';
import { requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { deleteCookie, readCookie, setCookie } from '@/server/platform/cookies';
import { getRequestContext } from '@/server/platform/request-context';

/** Ends this session: the row is deleted, so the cookie is worthless everywhere. */
export async function signOutAction(): Promise<void> {
  await endSession();
  redirect('/signin');
}

// Step-up: the customer proves again who they are, inside the session they
// already have, before a sensitive change (docs/attack-protection.md).

export async function sendStepUpCodeAction(): Promise<ActionResult> {
  const customer = await requireCustomer();
  const { ip } = await getRequestContext();
  const locale = await getLocale();
  const result = await requestSignIn(customer.email, ip, isLocale(locale) ? locale : customer.locale);
  if (!result.ok) return rateLimitedResult(result.retryAfterSeconds);
  await setCookie('stepUp', result.challengeId);
  return { ok: true };
}

export async function verifyStepUpCodeAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = VerifyCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const challengeId = await readCookie('stepUp');
  if (!challengeId) return { ok: false, message: 'code.expired' };
  const { ip } = await getRequestContext();
  const result = await verifyCode(challengeId, parsed.data.code, ip);
  if (result.ok && result.customerId === customer.id) {
    await deleteCookie('stepUp');
    await markSessionAuthenticated(customer.id, customer.sessionId, 'step-up-email-code');
    return { ok: true };
  }
  // A code of another account's challenge proves nothing here.
  return result.ok ? { ok: false, message: 'code.expired' } : codeFailureResult(result);
}

export async function startStepUpPasskeyAction(): Promise<{
  ceremonyId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}> {
  const customer = await requireCustomer();
  return startPasskeyAuthentication('step-up', customer.id);
}

export async function finishStepUpPasskeyAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'passkey.invalid' };
  const { ip } = await getRequestContext();
  const result = await finishPasskeyAuthentication(
    parsed.data.ceremonyId,
    parsed.data.response as unknown as AuthenticationResponseJSON,
    { ip, purpose: 'step-up', customerId: customer.id },
  );
  if (!result.ok) return passkeyFailureResult(result);
  await markSessionAuthenticated(customer.id, customer.sessionId, 'step-up-passkey');
  return { ok: true };
}
