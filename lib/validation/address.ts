import { postcodeValidator } from 'postcode-validator';
// zod/mini: the address form runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

export const ADDRESS_KINDS = ['home', 'billing', 'shipping'] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/**
 * Countries we deliver to, with what their addresses need. Each writes an
 * address as street, optional second line, postcode and city (no region);
 * postcodes are checked with postcode-validator's pattern for the country
 * (docs/decisions/011-phones-and-postal-addresses.md). Add a country here only
 * once its format is in this table and in both message catalogues.
 */
export const ADDRESS_FORMATS = {
  FR: { postalCodeExample: '75011', cityFirst: false },
  BE: { postalCodeExample: '1000', cityFirst: false },
  LU: { postalCodeExample: '1234', cityFirst: false },
  MC: { postalCodeExample: '98000', cityFirst: false },
  CH: { postalCodeExample: '8001', cityFirst: false },
  DE: { postalCodeExample: '10115', cityFirst: false },
  AT: { postalCodeExample: '1010', cityFirst: false },
  ES: { postalCodeExample: '28001', cityFirst: false },
  IT: { postalCodeExample: '00184', cityFirst: false },
  PT: { postalCodeExample: '1000-001', cityFirst: false },
  NL: { postalCodeExample: '1012 AB', cityFirst: false },
  GB: { postalCodeExample: 'SW1A 1AA', cityFirst: true },
} as const;
export type AddressCountry = keyof typeof ADDRESS_FORMATS;
export const ADDRESS_COUNTRIES = Object.keys(ADDRESS_FORMATS) as [AddressCountry, ...AddressCountry[]];

export const ADDRESS_LINE_MAX_LENGTH = 200;
export const CITY_MAX_LENGTH = 100;
export const POSTAL_CODE_MAX_LENGTH = 16;

// Free text is kept as typed (HTML included: it is stored and shown as text),
// but control characters and bidirectional overrides, which can disguise what
// is shown, are refused.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

function text(field: string, max: number, required: boolean) {
  return z.string({ error: `${field}.required` }).check(
    z.trim(),
    ...(required ? [z.minLength(1, { error: `${field}.required` })] : []),
    z.maxLength(max, { error: `${field}.tooLong` }),
    z.refine((v: string) => !UNSAFE_CHARACTERS.test(v), { error: `${field}.invalid` }),
  );
}

/** The postcode as the country's post writes it: upper case, spacing of the country. */
export function normalizePostalCode(value: string, country: AddressCountry): string {
  const compact = value.trim().toUpperCase().replace(/\s+/g, ' ');
  if (country === 'GB') {
    const bare = compact.replace(/ /g, '');
    return `${bare.slice(0, -3)} ${bare.slice(-3)}`;
  }
  if (country === 'NL') return compact.replace(/^(\d{4}) ?([A-Z]{2})$/, '$1 $2');
  if (country === 'FR' || country === 'MC') return compact.replace(/ /g, '');
  return compact;
}

/** A postal address of one kind (home, billing, shipping): the form and the API share it. Unknown members are refused. */
export const AddressSchema = z
  .strictObject({
    country: z.enum(ADDRESS_COUNTRIES, { error: 'country.invalid' }),
    line1: text('line1', ADDRESS_LINE_MAX_LENGTH, true),
    line2: text('line2', ADDRESS_LINE_MAX_LENGTH, false),
    postalCode: z
      .string({ error: 'postalCode.required' })
      .check(
        z.trim(),
        z.minLength(1, { error: 'postalCode.required' }),
        z.maxLength(POSTAL_CODE_MAX_LENGTH, { error: 'postalCode.tooLong' }),
      ),
    city: text('city', CITY_MAX_LENGTH, true),
  })
  .check(
    z.superRefine((address, ctx) => {
      if (address.postalCode === '' || address.postalCode.length > POSTAL_CODE_MAX_LENGTH) return;
      if (!postcodeValidator(normalizePostalCode(address.postalCode, address.country), address.country)) {
        ctx.addIssue({
          code: 'custom',
          path: ['postalCode'],
          message: 'postalCode.invalid',
          input: address.postalCode,
        });
      }
    }),
  );
export type AddressInput = z.input<typeof AddressSchema>;

/** What is stored: the postcode normalised, an empty second line as null. */
export type AddressValue = {
  country: AddressCountry;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
};

export function toAddressValue(address: z.output<typeof AddressSchema>): AddressValue {
  return {
    country: address.country,
    line1: address.line1,
    line2: address.line2 === '' ? null : address.line2,
    postalCode: normalizePostalCode(address.postalCode, address.country),
    city: address.city,
  };
}

/** The address form: an address of one kind, saved against the profile version it was loaded with. */
export const SaveAddressSchema = z.object({
  kind: z.enum(ADDRESS_KINDS),
  version: z.int().check(z.positive()),
  address: AddressSchema,
});

export const RemoveAddressSchema = z.object({ kind: z.enum(ADDRESS_KINDS), version: z.int().check(z.positive()) });
