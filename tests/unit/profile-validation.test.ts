import { describe, expect, it } from 'vitest';

import { AddressSchema, normalizePostalCode, toAddressValue } from '@/lib/validation/address';
import { formatPhone, phoneCountryOf, toE164 } from '@/lib/validation/phone';
import { PersonalDetailsSchema } from '@/lib/validation/profile';
import { ProfilePatchSchema } from '@/lib/validation/profile-patch';

const issue = (r: { success: boolean; error?: { issues: Array<{ message: string; path: PropertyKey[] }> } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}:${i.message}`);
const details = { firstName: 'Zoé', lastName: '', phone: '', phoneCountry: 'FR', locale: 'fr' };
const address = { country: 'FR', line1: '12 rue des Lilas', line2: '', postalCode: '75011', city: 'Paris' };

describe('phones', () => {
  it('reads national numbers with the chosen country and stores E.164', () => {
    expect(toE164('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(toE164('+44 20 7946 0958', 'FR')).toBe('+442079460958');
    expect(formatPhone('+33612345678')).toBe('+33 6 12 34 56 78');
    expect(phoneCountryOf('+442079460958')).toBe('GB');
  });
  it('tells a plausible number from a real one: the browser checks the first, the server both', () => {
    expect(PersonalDetailsSchema.safeParse({ ...details, phone: '06 12 34 56' }).success).toBe(true);
    expect(toE164('06 12 34 56', 'FR')).toBeNull();
  });
  it.each(['06 12', '+33 1', 'abc', '<script>alert(1)</script>', '0612345678901234'])('refuses %j', (phone) => {
    expect(issue(PersonalDetailsSchema.safeParse({ ...details, phone }))).toEqual(['phone:phone.invalid']);
  });
  it('refuses an over-long input before parsing it', () => {
    expect(issue(PersonalDetailsSchema.safeParse({ ...details, phone: '1'.repeat(40) }))).toEqual([
      'phone:phone.tooLong',
    ]);
  });
});

describe('names', () => {
  it('accepts an empty last name and refuses markup or over-long ones', () => {
    expect(PersonalDetailsSchema.safeParse(details).success).toBe(true);
    expect(issue(PersonalDetailsSchema.safeParse({ ...details, lastName: '<b>x</b>' }))).toEqual([
      'lastName:lastName.invalid',
    ]);
    expect(issue(PersonalDetailsSchema.safeParse({ ...details, lastName: 'a'.repeat(101) }))).toEqual([
      'lastName:lastName.tooLong',
    ]);
  });
});

describe('addresses', () => {
  it.each([
    ['FR', '75 011', '75011'],
    ['GB', 'sw1a1aa', 'SW1A 1AA'],
    ['NL', '1016gv', '1016 GV'],
    ['PT', '1000-001', '1000-001'],
  ] as const)('normalises a %s postcode', (country, typed, stored) => {
    expect(normalizePostalCode(typed, country)).toBe(stored);
    expect(AddressSchema.safeParse({ ...address, country, postalCode: typed }).success).toBe(true);
  });
  it.each([
    ['FR', 'SW1A 1AA'],
    ['GB', '75011'],
    ['DE', '1234'],
    ['NL', '12345'],
  ])('refuses a postcode that does not fit %s: %s', (country, postalCode) => {
    expect(issue(AddressSchema.safeParse({ ...address, country, postalCode }))).toEqual([
      'postalCode:postalCode.invalid',
    ]);
  });
  it('keeps HTML as text but refuses control characters, unknown countries and over-long lines', () => {
    expect(AddressSchema.safeParse({ ...address, line1: '<script>alert(1)</script>' }).success).toBe(true);
    expect(issue(AddressSchema.safeParse({ ...address, line1: 'a\u0000b' }))).toEqual(['line1:line1.invalid']);
    expect(issue(AddressSchema.safeParse({ ...address, city: 'Paris\u202e' }))).toEqual(['city:city.invalid']);
    expect(issue(AddressSchema.safeParse({ ...address, country: 'US' }))).toEqual(['country:country.invalid']);
    expect(issue(AddressSchema.safeParse({ ...address, line1: 'x'.repeat(201) }))).toEqual(['line1:line1.tooLong']);
    expect(issue(AddressSchema.safeParse({ ...address, line1: '  ' }))).toEqual(['line1:line1.required']);
  });
  it('stores an empty second line as null', () => {
    expect(toAddressValue(AddressSchema.parse(address))).toEqual({ ...address, line2: null });
  });
});

describe('the profile patch (portal and API)', () => {
  it('takes international phones only, and no unknown attribute', () => {
    expect(ProfilePatchSchema.parse({ phone: '+33 6 12 34 56 78', lastName: '' })).toEqual({
      phone: '+33612345678',
      lastName: null,
    });
    expect(ProfilePatchSchema.safeParse({ phone: '06 12 34 56 78' }).success).toBe(false);
    expect(ProfilePatchSchema.safeParse({ email: 'x@example.com' }).success).toBe(false);
    expect(ProfilePatchSchema.safeParse({ customerId: '00000000-0000-0000-0000-000000000000' }).success).toBe(false);
  });
});
