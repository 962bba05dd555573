'use server';

import { revalidatePath } from 'next/cache';

import {
  fieldErrorsFrom,
  rateLimitedResult,
  type ActionResult,
  type ConflictValue,
  type VersionedActionResult,
} from '@/lib/action-result';
import { RemoveAddressSchema, SaveAddressSchema, type AddressValue } from '@/lib/validation/address';
import { RequestEmailChangeSchema } from '@/lib/validation/email-change';
import { formatPhone, toE164 } from '@/lib/validation/phone';
import { SavePersonalDetailsSchema } from '@/lib/validation/profile';
import type { ProfilePatchInput } from '@/lib/validation/profile-patch';
import { VerifyCodeSchema } from '@/lib/validation/sign-in';
import {
  cancelEmailChange,
  closeEmailRevert,
  confirmEmailChangeCode,
  requestEmailChange,
} from '@/server/customers/email-change';
import { updateProfile, type AttributeValue, type ProfileWriteResult } from '@/server/customers/profile';
import { requireCustomer, stepUpRequired } from '@/server/identity/auth';
import { setCookie } from '@/server/platform/cookies';
import { getRequestContext } from '@/server/platform/request-context';

// Thin on purpose: the session, the shared schema, then server/customers/profile.ts,
// which the apps' API will call with its own channel.

/** Phones go to the browser formatted ("+33 6 12 34 56 78"): it has no phone metadata. */
function conflictValue(attribute: string, value: AttributeValue): ConflictValue {
  if (attribute === 'phone' && typeof value === 'string') return formatPhone(value);
  if (value === null || typeof value === 'string') return value;
  return { ...(value as AddressValue) };
}

function fromWrite(result: ProfileWriteResult, fieldPrefix = ''): VersionedActionResult {
  if (result.ok) return { ok: true, version: result.version };
  switch (result.reason) {
    case 'conflict':
      return {
        ok: false,
        message: 'profile.conflictTitle',
        conflict: {
          version: result.version,
          fields: result.conflicts.map((c) => ({
            field: c.attribute,
            yours: conflictValue(c.attribute, c.yours),
            current: conflictValue(c.attribute, c.current),
          })),
        },
      };
    case 'invalid':
      return {
        ok: false,
        fieldErrors: Object.fromEntries(
          Object.entries(result.fieldErrors).map(([path, key]) => [
            path.replace(fieldPrefix, '').split('.').at(-1) ?? path,
            key,
          ]),
        ),
      };
    default:
      return { ok: false, message: 'profile.notFound' };
  }
}

export async function savePersonalDetailsAction(input: unknown): Promise<VersionedActionResult> {
  const customer = await requireCustomer();
  const parsed = SavePersonalDetailsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: i.path[0] === 'values' ? i.path.slice(1) : i.path }));
    return { ok: false, fieldErrors: fieldErrorsFrom(issues) };
  }
  const { values, changed, version } = parsed.data;
  const patch: ProfilePatchInput = {};
  if (changed.includes('firstName')) patch.firstName = values.firstName;
  if (changed.includes('lastName')) patch.lastName = values.lastName;
  if (changed.includes('phone')) {
    const e164 = values.phone === '' ? null : toE164(values.phone, values.phoneCountry);
    // Plausible in the browser, but no such number: the field error, nothing written.
    if (values.phone !== '' && !e164) return { ok: false, fieldErrors: { phone: 'phone.invalid' } };
    patch.phone = e164;
  }
  if (changed.includes('locale')) patch.locale = values.locale;
  const result = await updateProfile(customer.id, patch, { channel: 'portal', expectedVersion: version });
  if (result.ok && result.changed.includes('locale')) {
    await setCookie('locale', values.locale);
    revalidatePath('/', 'layout');
  } else if (result.ok) revalidatePath('/account/profile');
  return fromWrite(result);
}

export async function saveAddressAction(input: unknown): Promise<VersionedActionResult> {
  const customer = await requireCustomer();
  const parsed = SaveAddressSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: i.path[0] === 'address' ? i.path.slice(1) : i.path }));
    return { ok: false, fieldErrors: fieldErrorsFrom(issues) };
  }
  const { kind, version, address } = parsed.data;
  const result = await updateProfile(
    customer.id,
    { addresses: { [kind]: address } },
    { channel: 'portal', expectedVersion: version },
  );
  if (result.ok) revalidatePath('/account/profile');
  return fromWrite(result, `addresses.${kind}.`);
}

export async function removeAddressAction(input: unknown): Promise<VersionedActionResult> {
  const customer = await requireCustomer();
  const parsed = RemoveAddressSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'common.genericError' };
  const { kind, version } = parsed.data;
  const result = await updateProfile(
    customer.id,
    { addresses: { [kind]: null } },
    { channel: 'portal', expectedVersion: version },
  );
  if (result.ok) revalidatePath('/account/profile');
  return fromWrite(result);
}

/** Step-up first: whoever changes the sign-in address owns the account. */
export async function requestEmailChangeAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = RequestEmailChangeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  const { ip } = await getRequestContext();
  const result = await requestEmailChange(customer.id, parsed.data.newEmail, {
    ip,
    locale: customer.locale,
    channel: 'portal',
  });
  if (!result.ok) {
    if (result.reason === 'rate-limited') return rateLimitedResult(result.retryAfterSeconds);
    if (result.reason === 'same-address') return { ok: false, fieldErrors: { newEmail: 'emailChange.sameAddress' } };
    return { ok: false, message: 'profile.notFound' };
  }
  revalidatePath('/account/profile');
  return { ok: true };
}

export async function confirmEmailChangeCodeAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = VerifyCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { ip } = await getRequestContext();
  const result = await confirmEmailChangeCode(customer.id, parsed.data.code, ip);
  if (result.ok) {
    revalidatePath('/account', 'layout');
    return { ok: true };
  }
  switch (result.reason) {
    case 'wrong-code':
      return {
        ok: false,
        fieldErrors: { code: 'emailChange.wrongCode' },
        values: { attemptsLeft: result.attemptsLeft },
      };
    case 'rate-limited':
      return rateLimitedResult(result.retryAfterSeconds);
    case 'address-taken':
      return { ok: false, message: 'emailChange.addressTaken' };
    case 'code-dead':
      revalidatePath('/account/profile');
      return { ok: false, message: 'emailChange.dead' };
    default:
      revalidatePath('/account/profile');
      return { ok: false, message: 'emailChange.expired' };
  }
}

export async function cancelEmailChangeAction(): Promise<ActionResult> {
  const customer = await requireCustomer();
  await cancelEmailChange(customer.id);
  revalidatePath('/account/profile');
  return { ok: true };
}

/** Step-up first: closing the way back leaves the previous address without recourse. */
export async function closeEmailRevertAction(): Promise<ActionResult> {
  const customer = await requireCustomer();
  const stepUp = stepUpRequired(customer);
  if (stepUp) return stepUp;
  // Not revalidated: the confirmation stays where the button was until the next visit.
  if (!(await closeEmailRevert(customer.id))) return { ok: false, message: 'emailChange.revertNotOpen' };
  return { ok: true };
}
