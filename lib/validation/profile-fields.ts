// What the profile form renders before its schema loads (components/lazy-zod-resolver.ts):
// no zod here, so the page does not load it with these lists.

/** Where a number typed without +country code is read from; the form offers these. */
export const PHONE_COUNTRIES = [
  'FR',
  'BE',
  'LU',
  'MC',
  'CH',
  'DE',
  'AT',
  'ES',
  'IT',
  'PT',
  'NL',
  'GB',
  'IE',
  'US',
  'CA',
] as const;
export type PhoneCountry = (typeof PHONE_COUNTRIES)[number];

export const PERSONAL_DETAIL_FIELDS = ['firstName', 'lastName', 'phone', 'locale'] as const;
export type PersonalDetailField = (typeof PERSONAL_DETAIL_FIELDS)[number];
