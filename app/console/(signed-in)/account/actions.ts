'use server';

import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';

import { staffPasskeyFailureResult, type ActionFailure, type ActionResult } from '@/lib/action-result';
import { CeremonySchema, PasskeyIdSchema } from '@/lib/validation/passkey';
import { requestIdOf } from '@/server/platform/errors';
import { getRequestContext } from '@/server/platform/request-context';
import { requireStaff } from '@/server/staff/auth';
import {
  addStaffPasskey,
  deviceName,
  isFreshlyAuthenticated,
  removeStaffPasskey,
  startStaffAuthentication,
  startStaffRegistration,
  stepUpStaff,
} from '@/server/staff/passkeys';

// Every member's own passkeys: no permission beyond being signed in, and only
// ever the signed-in member's rows (ids are checked against them on the server).

const STEP_UP: ActionFailure = { ok: false, stepUp: true, message: 'console.account.stepUpRequired' };

/** A user-verified assertion of one's own passkey, before adding another. */
export async function startStaffStepUpAction(): Promise<{
  ceremonyId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}> {
  const staff = await requireStaff();
  return startStaffAuthentication('staff-step-up', staff.id);
}

export async function finishStaffStepUpAction(input: unknown): Promise<ActionResult> {
  const staff = await requireStaff();
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.passkey.invalid' };
  const { ip } = await getRequestContext();
  const result = await stepUpStaff(
    staff,
    parsed.data.ceremonyId,
    parsed.data.response as unknown as AuthenticationResponseJSON,
    ip,
  );
  return result.ok ? { ok: true } : staffPasskeyFailureResult(result);
}

export async function startAddStaffPasskeyAction(): Promise<
  { ok: true; ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON } | ActionFailure
> {
  const staff = await requireStaff();
  if (!isFreshlyAuthenticated(staff.authenticatedAt)) return STEP_UP;
  return { ok: true, ...(await startStaffRegistration(staff)) };
}

export async function finishAddStaffPasskeyAction(input: unknown): Promise<ActionResult> {
  const staff = await requireStaff();
  if (!isFreshlyAuthenticated(staff.authenticatedAt)) return STEP_UP;
  const parsed = CeremonySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.passkey.invalid' };
  const [{ userAgent }, requestHeaders] = await Promise.all([getRequestContext(), headers()]);
  const result = await addStaffPasskey(
    staff,
    parsed.data.ceremonyId,
    parsed.data.response as unknown as RegistrationResponseJSON,
    { name: deviceName(userAgent), requestId: requestIdOf(requestHeaders) },
  );
  if (!result.ok) return staffPasskeyFailureResult(result);
  revalidatePath('/console/account');
  return { ok: true };
}

export async function removeStaffPasskeyAction(input: unknown): Promise<ActionResult> {
  const staff = await requireStaff();
  const parsed = PasskeyIdSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.account.notFound' };
  const result = await removeStaffPasskey(staff, parsed.data.passkeyId, requestIdOf(await headers()));
  if (!result.ok)
    return {
      ok: false,
      message: result.reason === 'last-passkey' ? 'console.account.lastPasskey' : 'console.account.notFound',
    };
  revalidatePath('/console/account');
  return { ok: true };
}
