import 'server-only';

import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

import { PHONE_COUNTRIES, type PhoneCountry } from './profile';

// Phone numbers on the server and in server components only: the browser
// checks plausibility (lib/validation/profile.ts isPlausiblePhone), the
// server whether the number exists. docs/decisions/011-phones-and-postal-addresses.md

/**
 * A phone number in E.164 (+33612345678), or null when it is not a valid
 * number, read with the chosen country when typed without +country code
 * (libphonenumber-js's small metadata: length and leading digits per country;
 * lib/validation/profile-patch.ts checks again with the full metadata).
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
