'use server';

import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';

import type { ActionFailure } from '@/lib/action-result';
import { EnrolmentSchema, InvitationSchema } from '@/lib/validation/staff-enrolment';
import { setStaffSessionCookie } from '@/server/platform/cookies';
import { requestIdOf } from '@/server/platform/errors';
import { getRequestContext } from '@/server/platform/request-context';
import { checkInvitation, finishEnrolment, startEnrolment, type InvitationProblem } from '@/server/staff/enrolment';
import { deviceName } from '@/server/staff/passkeys';

// Public actions: the invitation token is the credential. It arrives in the
// request body only (the page reads it from the link's fragment), never in a URL.

const problem = (reason: InvitationProblem): ActionFailure => ({ ok: false, message: `console.invitation.${reason}` });

export async function checkInvitationAction(
  input: unknown,
): Promise<{ ok: true; displayName: string } | ActionFailure> {
  const parsed = InvitationSchema.safeParse(input);
  if (!parsed.success) return problem('unknown');
  const result = await checkInvitation(parsed.data.token);
  return result.ok ? result : problem(result.reason);
}

export async function startEnrolmentAction(
  input: unknown,
): Promise<{ ok: true; ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON } | ActionFailure> {
  const parsed = InvitationSchema.safeParse(input);
  if (!parsed.success) return problem('unknown');
  const result = await startEnrolment(parsed.data.token);
  if (!result.ok) return problem(result.reason);
  return { ok: true, ceremonyId: result.ceremonyId, options: result.options };
}

/** Verifies the new passkey, consumes the invitation and signs the member in: the console's home next. */
export async function finishEnrolmentAction(input: unknown): Promise<ActionFailure> {
  const parsed = EnrolmentSchema.safeParse(input);
  if (!parsed.success) return problem('unknown');
  const [{ userAgent }, requestHeaders] = await Promise.all([getRequestContext(), headers()]);
  const result = await finishEnrolment(
    {
      token: parsed.data.token,
      ceremonyId: parsed.data.ceremonyId,
      response: parsed.data.response as unknown as RegistrationResponseJSON,
    },
    { passkeyName: deviceName(userAgent), requestId: requestIdOf(requestHeaders) },
  );
  if (!result.ok) {
    switch (result.reason) {
      case 'ceremony-expired':
        return { ok: false, message: 'console.invitation.ceremonyExpired' };
      case 'invalid':
        return { ok: false, message: 'console.passkey.invalid' };
      case 'not-user-verified':
        return { ok: false, message: 'console.passkey.notUserVerified' };
      default:
        return problem(result.reason);
    }
  }
  await setStaffSessionCookie(result.token, result.expiresAt);
  redirect('/console');
}
