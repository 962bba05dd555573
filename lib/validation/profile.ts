import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
// zod/mini: the profile form runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';
import { locales } from '@/lib/i18n/config';
import { PERSON_NAME_PATTERN, PersonNameSchema } from './onboarding';

export const LAST_NAME_MAX_LENGTH = 100;
export const PHONE_INPUT_MAX_LENGTH = 32;

/** Where a number typed without +country code is read from; the form offers these. */
export const PHONE_COUNTRIES = ['FR', 'BE', 'LU', 'MC', 'CH', 'DE', 'AT', 'ES', 'IT', 'PT', 'NL', 'GB', 'IE', 'US', 'CA'] as const;
export type PhoneCountry = (typeof PHONE_COUNTRIES)[number];

/**
 * A phone number in E.164 (+33612345678), or null when it is not a valid
 * number. The browser checks with libphonenumber-js's small metadata (length
 * and leading digits per country); the server checks again with the full
 * metadata (lib/validation/profile-patch.ts), docs/decisions/011.
 */
export function toE164(value: string, defaultCountry?: PhoneCountry): string | null {
  const parsed = parsePhoneNumberFromString(value, defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

/** "+33 6 12 34 56 78" for display. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** The country a stored number belongs to, for the form's country list. */
export function phoneCountryOf(e164: string | null): PhoneCountry | null {
  const country = e164 ? parsePhoneNumberFromString(e164)?.country : undefined;
  return (PHONE_COUNTRIES as readonly string[]).includes(country ?? '') ? (country as PhoneCountry) : null;
}

/** A last name is optional: empty means none. */
export const LastNameSchema = z.string({ error: 'lastName.invalid' }).check(
  z.trim(),
  z.maxLength(LAST_NAME_MAX_LENGTH, { error: 'lastName.tooLong' }),
  z.refine((v) => v === '' || PERSON_NAME_PATTERN.test(v), { error: 'lastName.invalid' }),
);

/** The "personal details" form: names, phone, preferred language. */
export const PersonalDetailsSchema = z
  .object({
    firstName: PersonNameSchema,
    lastName: LastNameSchema,
    phone: z.string({ error: 'phone.invalid' }).check(z.trim(), z.maxLength(PHONE_INPUT_MAX_LENGTH, { error: 'phone.tooLong' })),
    phoneCountry: z.enum(PHONE_COUNTRIES, { error: 'phone.country' }),
    locale: z.enum(locales, { error: 'locale.invalid' }),
  })
  .check(
    z.superRefine((details, ctx) => {
      if (details.phone !== '' && details.phone.length <= PHONE_INPUT_MAX_LENGTH && !toE164(details.phone, details.phoneCountry)) {
        ctx.addIssue({ code: 'custom', path: ['phone'], message: 'phone.invalid', input: details.phone });
      }
    }),
  );
export type PersonalDetailsInput = z.input<typeof PersonalDetailsSchema>;

export const PERSONAL_DETAIL_FIELDS = ['firstName', 'lastName', 'phone', 'locale'] as const;
export type PersonalDetailField = (typeof PERSONAL_DETAIL_FIELDS)[number];

/**
 * What the personal-details action receives: every field (validated whole),
 * the fields the customer changed (only those are written), and the profile
 * version the form was loaded with.
 */
export const SavePersonalDetailsSchema = z.object({
  values: PersonalDetailsSchema,
  changed: z.array(z.enum(PERSONAL_DETAIL_FIELDS)).check(z.maxLength(PERSONAL_DETAIL_FIELDS.length)),
  version: z.int().check(z.positive()),
});
