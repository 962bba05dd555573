'use server';

import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';

import { staffPasskeyFailureResult, type ActionResult } from '@/lib/action-result';
import { CeremonySchema } from '@/lib/validation/passkey';
import { setStaffSessionCookie } from '@/server/platform/cookies';
import { requestIdOf } from '@/server/platform/errors';
import { getRequestContext } from '@/server/platform/request-context';
import { consoleReturnPath } from '@/server/staff/auth';
import { signInStaffWithPasskey, startStaffAuthentication } from '@/server/staff/passkeys';

/** Options for a console sign-in with any staff passkey (autofill or the button). */
export async function startStaffSignInAction(): Promise<{
  ceremonyId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}> {
  return startStaffAuthentication('staff-sign-in');
}

/** `next` is bound by the page from ?next=; checked again here, it only ever leads into /console. */
export async function finishStaffSignInAction(next: unknown, input: unknown): Promise<ActionResult> {
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.passkey.invalid' };
  const [{ ip }, requestHeaders] = await Promise.all([getRequestContext(), headers()]);
  const result = await signInStaffWithPasskey(
    parsed.data.ceremonyId,
    parsed.data.response as unknown as AuthenticationResponseJSON,
    { ip, requestId: requestIdOf(requestHeaders) },
  );
  if (!result.ok) return staffPasskeyFailureResult(result);
  await setStaffSessionCookie(result.token, result.expiresAt);
  redirect(consoleReturnPath(next));
}
