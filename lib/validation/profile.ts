// zod/mini: the profile form runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { locales } from '@/lib/i18n/config';

import { PERSON_NAME_PATTERN, PersonNameSchema } from './onboarding';
import { PERSONAL_DETAIL_FIELDS, PHONE_COUNTRIES } from './profile-fields';

export { PERSONAL_DETAIL_FIELDS, PHONE_COUNTRIES, type PersonalDetailField, type PhoneCountry } from './profile-fields';

export const LAST_NAME_MAX_LENGTH = 100;
export const PHONE_INPUT_MAX_LENGTH = 32;

/**
 * What the browser checks of a phone number: plausible characters and 6 to 15
 * digits (E.164's maximum). Whether it is a real number is the server's check
 * (lib/validation/phone.ts, with libphonenumber-js): its metadata alone would
 * weigh 37 kB gzipped on the profile page (npm run bench), docs/decisions/011.
 */
export function isPlausiblePhone(value: string): boolean {
  const digits = value.replace(/\D/g, '').length;
  return /^\+?[0-9 ().\-]+$/.test(value) && digits >= 6 && digits <= 15;
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
    phone: z
      .string({ error: 'phone.invalid' })
      .check(z.trim(), z.maxLength(PHONE_INPUT_MAX_LENGTH, { error: 'phone.tooLong' })),
    phoneCountry: z.enum(PHONE_COUNTRIES, { error: 'phone.country' }),
    locale: z.enum(locales, { error: 'locale.invalid' }),
  })
  .check(
    z.superRefine((details, ctx) => {
      if (details.phone !== '' && details.phone.length <= PHONE_INPUT_MAX_LENGTH && !isPlausiblePhone(details.phone)) {
        ctx.addIssue({ code: 'custom', path: ['phone'], message: 'phone.invalid', input: details.phone });
      }
    }),
  );
export type PersonalDetailsInput = z.input<typeof PersonalDetailsSchema>;

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
