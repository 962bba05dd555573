// The contract of server/customers/profile.ts updateProfile: the portal's actions and
// the apps' API (server/apps/api/customers.ts) send it. Server-side only, so classic zod composes the
// forms' zod/mini schemas (docs/decisions/009-zod-mini-on-customer-pages.md).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';

import { locales } from '@/lib/i18n/config';

import { AddressSchema, toAddressValue } from './address';
import { PersonNameSchema } from './onboarding';
import { LastNameSchema, PHONE_INPUT_MAX_LENGTH } from './profile';

/** E.164 for an international number valid by the full metadata (every range of every country), else null. */
export function toE164Strict(value: string): string | null {
  const parsed = parsePhoneNumberFromString(value);
  return parsed?.isValid() ? parsed.number : null;
}

const StoredAddress = z.optional(z.nullable(z.pipe(AddressSchema, z.transform(toAddressValue))));

/**
 * A change to the profile, as server/customers/profile.ts updateProfile takes it from
 * the portal's forms and from apps through the API: only the
 * attributes present are written. Phones must be international (+…).
 */
export const ProfilePatchSchema = z.strictObject({
  firstName: z.optional(PersonNameSchema),
  lastName: z.optional(
    z.nullable(
      z.pipe(
        LastNameSchema,
        z.transform((v: string) => (v === '' ? null : v)),
      ),
    ),
  ),
  phone: z
    .string({ error: 'phone.invalid' })
    .max(PHONE_INPUT_MAX_LENGTH, { error: 'phone.tooLong' })
    .transform((v, ctx) => {
      const e164 = toE164Strict(v);
      if (!e164) ctx.addIssue({ code: 'custom', message: 'phone.invalid' });
      return e164 ?? v;
    })
    .nullable()
    .optional(),
  locale: z.enum(locales, { error: 'locale.invalid' }).optional(),
  addresses: z.strictObject({ home: StoredAddress, billing: StoredAddress, shipping: StoredAddress }).optional(),
});
export type ProfilePatchInput = z.input<typeof ProfilePatchSchema>;
export type ProfilePatch = z.output<typeof ProfilePatchSchema>;
