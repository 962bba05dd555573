'use server';

import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { revalidatePath } from 'next/cache';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import {
  CeremonySchema,
  PasskeyIdSchema,
  PasskeyNameSchema,
  RenamePasskeySchema,
  SessionIdSchema,
} from '@/lib/validation/passkey';
import { requireCustomer, stepUpRequired } from '@/server/identity/auth';
import {
  deletePasskey,
  finishPasskeyRegistration,
  renamePasskey,
  startPasskeyRegistration,
} from '@/server/identity/passkeys';
import { describeUserAgent, revokeOtherSessions, revokeSession } from '@/server/identity/sessions';
import { getRequestContext } from '@/server/platform/request-context';

type Failure = Extract<ActionResult, { ok: false }>;

export async function startAddPasskeyAction(): Promise<
  { ok: true; ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON } | Failure
> {
  const customer = await requireCustomer();
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  return { ok: true, ...(await startPasskeyRegistration(customer)) };
}

const FinishAdd = CeremonySchema.extend({ name: PasskeyNameSchema.optional() });

export async function finishAddPasskeyAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  const parsed = FinishAdd.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'passkey.invalid' };
  const { userAgent } = await getRequestContext();
  const device = describeUserAgent(userAgent);
  const name = parsed.data.name ?? `${device.browser.split(' ')[0]} · ${device.os}`.slice(0, 60);
  const result = await finishPasskeyRegistration(
    customer.id,
    parsed.data.ceremonyId,
    parsed.data.response as unknown as RegistrationResponseJSON,
    name,
  );
  if (!result.ok) return { ok: false, message: result.reason === 'expired' ? 'passkey.expired' : 'passkey.invalid' };
  revalidatePath('/account/security');
  return { ok: true };
}

export async function renamePasskeyAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = RenamePasskeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  if (!(await renamePasskey(customer.id, parsed.data.passkeyId, parsed.data.name)))
    return { ok: false, message: 'security.notFound' };
  revalidatePath('/account/security');
  return { ok: true };
}

export async function deletePasskeyAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = PasskeyIdSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'security.notFound' };
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  if (!(await deletePasskey(customer.id, parsed.data.passkeyId))) return { ok: false, message: 'security.notFound' };
  revalidatePath('/account/security');
  return { ok: true };
}

export async function revokeSessionAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = SessionIdSchema.safeParse(input);
  if (!parsed.success || parsed.data.sessionId === customer.sessionId)
    return { ok: false, message: 'security.notFound' };
  if (!(await revokeSession(customer.id, parsed.data.sessionId))) return { ok: false, message: 'security.notFound' };
  revalidatePath('/account/security');
  return { ok: true };
}

export async function revokeOtherSessionsAction(): Promise<ActionResult> {
  const customer = await requireCustomer();
  await revokeOtherSessions(customer.id, customer.sessionId);
  revalidatePath('/account/security');
  return { ok: true };
}
