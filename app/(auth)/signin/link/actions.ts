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
import { returnDestination } from '@/lib/oidc/interaction-path';
import { safeReturnPath } from '@/lib/safe-redirect';
import { CeremonySchema } from '@/lib/validation/passkey';
import { VerifyCodeSchema } from '@/lib/validation/sign-in';
import { getCustomerStatus } from '@/server/customers/account';
import { startSession } from '@/server/identity/auth';
import { cancelPendingIdentityLink, completeIdentityLink, getPendingIdentityLink } from '@/server/identity/identities';
import { finishPasskeyAuthentication, startPasskeyAuthentication } from '@/server/identity/passkeys';
import { requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { deleteCookie, readCookie, setCookie } from '@/server/platform/cookies';
import { getRequestContext } from '@/server/platform/request-context';

// Before a third-party identity is linked to an existing account, the customer
// proves that account here: a code mailed to its address, or one of its
// passkeys. No session exists yet; what these actions check is the pending
// link bound to this device by its cookie (server/identity/oidc.ts oidcSignIn).

type Failure = Extract<ActionResult, { ok: false }>;
const EXPIRED: Failure = { ok: false, message: 'oidc.link.expired' };

async function pendingLink() {
  const token = await readCookie('identityLink');
  const pending = await getPendingIdentityLink(token);
  return pending && token ? { token, pending } : null;
}

/** "Email me a code" (and "Send a new code"): the ordinary sign-in mail, to the account's address. */
export async function sendLinkCodeAction(): Promise<ActionResult> {
  const link = await pendingLink();
  if (!link) return EXPIRED;
  const { ip } = await getRequestContext();
  const locale = await getLocale();
  const result = await requestSignIn(link.pending.email, ip, isLocale(locale) ? locale : 'en');
  if (!result.ok) return rateLimitedResult(result.retryAfterSeconds);
  await setCookie('identityLinkCode', result.challengeId);
  return { ok: true };
}

export async function verifyLinkCodeAction(input: unknown): Promise<ActionResult> {
  const parsed = VerifyCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const link = await pendingLink();
  if (!link) return EXPIRED;
  const challengeId = await readCookie('identityLinkCode');
  if (!challengeId) return { ok: false, message: 'code.expired' };
  const { ip } = await getRequestContext();
  const result = await verifyCode(challengeId, parsed.data.code, ip);
  if (result.ok) {
    // The code proves the address it was sent to: it must be the pending link's account.
    if (result.customerId !== link.pending.customerId) return { ok: false, message: 'code.expired' };
    return finishLink(link.token, link.pending.customerId);
  }
  return codeFailureResult(result);
}

/** "Use a passkey": only the passkeys of the account being linked are offered and accepted. */
export async function startLinkPasskeyAction(): Promise<
  { ok: true; ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON } | Failure
> {
  const link = await pendingLink();
  if (!link) return EXPIRED;
  return { ok: true, ...(await startPasskeyAuthentication('authenticate', link.pending.customerId)) };
}

export async function finishLinkPasskeyAction(input: unknown): Promise<ActionResult> {
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'passkey.invalid' };
  const link = await pendingLink();
  if (!link) return EXPIRED;
  const { ip } = await getRequestContext();
  const result = await finishPasskeyAuthentication(
    parsed.data.ceremonyId,
    parsed.data.response as unknown as AuthenticationResponseJSON,
    { ip, purpose: 'authenticate', customerId: link.pending.customerId },
  );
  if (!result.ok) return passkeyFailureResult(result);
  return finishLink(link.token, link.pending.customerId);
}

/** The account is proven: link the identity (mails the customer), then sign in. */
async function finishLink(token: string, customerId: string): Promise<ActionResult> {
  const linked = await completeIdentityLink(token, customerId);
  await Promise.all([deleteCookie('identityLink'), deleteCookie('identityLinkCode')]);
  if (!linked.ok)
    return { ok: false, message: linked.reason === 'expired' ? 'oidc.link.expired' : 'oidc.link.linkedElsewhere' };
  await startSession(customerId, `oidc:${linked.provider}`);
  const status = await getCustomerStatus(customerId);
  const returnTo = safeReturnPath(await readCookie('returnTo'));
  // A new customer's first-name step comes first; the cookie takes them on afterwards (app/(auth)/welcome).
  if (!status.onboarded) redirect('/welcome');
  await deleteCookie('returnTo');
  redirect(returnDestination(returnTo));
}

/** "Don't link": forgets the pending link; nothing was changed. */
export async function cancelLinkAction(): Promise<void> {
  await cancelPendingIdentityLink(await readCookie('identityLink'));
  await Promise.all([deleteCookie('identityLink'), deleteCookie('identityLinkCode')]);
  redirect('/signin');
}
