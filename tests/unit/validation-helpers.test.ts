import { describe, expect, it } from 'vitest';

import { fieldErrorsFrom } from '@/lib/action-result';
import { deleteAccountSchema } from '@/lib/validation/account-deletion';
import { normalizePostalCode, toAddressValue } from '@/lib/validation/address';
import { SetAppAccessSchema } from '@/lib/validation/app-access';
import { SetConsentSchema } from '@/lib/validation/consent';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { PasskeyNameSchema } from '@/lib/validation/passkey';
import { isPlausiblePhone } from '@/lib/validation/profile';

const firstMessage = (r: { error?: { issues: Array<{ message: string }> } }) => r.error?.issues[0]?.message;

describe('isPlausiblePhone: what the browser checks before the server reads the number', () => {
  it.each(['+33 6 12 34 56 78', '06.12.34.56.78', '(020) 7946-0958', '123456', '+123456789012345'])(
    'lets %j through',
    (value) => {
      expect(isPlausiblePhone(value)).toBe(true);
    },
  );

  it.each([
    ['fewer than 6 digits', '12345'],
    ['more than 15 digits (E.164)', '+1234567890123456'],
    ['letters', '06 12 AB 56 78'],
    ['a plus sign inside', '06+12345678'],
    ['markup', '<b>0612345678</b>'],
    ['an extension', '0612345678 ext 12'],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    expect(isPlausiblePhone(value)).toBe(false);
  });
});

describe('normalizePostalCode: as the post writes it', () => {
  it.each([
    ['GB', '  sw1a   1aa ', 'SW1A 1AA'],
    ['GB', 'M11AE', 'M1 1AE'],
    ['NL', '1016 gv', '1016 GV'],
    ['FR', ' 75 0 11 ', '75011'],
    ['MC', '98 000', '98000'],
    ['DE', ' 10115 ', '10115'],
    ['BE', '1000', '1000'],
    ['CH', '8001', '8001'],
    ['PT', '1000  001', '1000 001'],
  ] as const)('%s: %j → %j', (country, typed, stored) => {
    expect(normalizePostalCode(typed, country)).toBe(stored);
  });

  it('leaves a Dutch postcode it does not recognise for the validator to refuse', () => {
    expect(normalizePostalCode('10 16GV', 'NL')).toBe('10 16GV');
  });

  it('is stable: normalising twice changes nothing', () => {
    for (const [country, typed] of [
      ['GB', 'sw1a1aa'],
      ['NL', '1016gv'],
      ['FR', '75 011'],
    ] as const) {
      const once = normalizePostalCode(typed, country);
      expect(normalizePostalCode(once, country)).toBe(once);
    }
  });
});

describe('toAddressValue', () => {
  it('stores the postcode normalised and keeps a second line', () => {
    expect(
      toAddressValue({ country: 'GB', line1: '10 Downing St', line2: 'Flat 1', postalCode: 'sw1a2aa', city: 'London' }),
    ).toEqual({ country: 'GB', line1: '10 Downing St', line2: 'Flat 1', postalCode: 'SW1A 2AA', city: 'London' });
  });
});

describe('deleteAccountSchema: the typed confirmation', () => {
  const schema = deleteAccountSchema('Ada@Example.com');

  it('accepts the own address, whatever its case and surrounding spaces', () => {
    expect(schema.safeParse({ confirmation: '  ada@example.COM ' }).success).toBe(true);
  });

  it.each([
    ['another address', 'eve@example.com'],
    ['a prefix of it', 'ada@example'],
    ['nothing', ''],
  ])('refuses %s', (_, confirmation) => {
    expect(firstMessage(schema.safeParse({ confirmation }))).toBe('deleteConfirmation.mismatch');
  });

  it('refuses a missing field with the same message', () => {
    expect(firstMessage(schema.safeParse({}))).toBe('deleteConfirmation.mismatch');
  });
});

describe('PasskeyNameSchema', () => {
  it('trims and keeps the name', () => {
    expect(PasskeyNameSchema.parse('  Work laptop ')).toBe('Work laptop');
    expect(PasskeyNameSchema.parse('x'.repeat(60))).toHaveLength(60);
  });

  it.each([
    ['', 'passkeyName.required'],
    ['   ', 'passkeyName.required'],
    ['x'.repeat(61), 'passkeyName.tooLong'],
    ['phone\u0007', 'passkeyName.invalid'],
    ['\u202eenohp', 'passkeyName.invalid'],
    ['\u2066phone', 'passkeyName.invalid'],
  ])('refuses %j with %s', (value, key) => {
    expect(firstMessage(PasskeyNameSchema.safeParse(value))).toBe(key);
  });
});

describe('one-click schemas', () => {
  it('SetConsentSchema takes a purpose key, a positive version and an answer', () => {
    expect(SetConsentSchema.safeParse({ purposeKey: 'marketing-emails', version: 2, granted: false }).success).toBe(
      true,
    );
    for (const input of [
      { purposeKey: 'Marketing Emails', version: 1, granted: true },
      { purposeKey: 'x'.repeat(65), version: 1, granted: true },
      { purposeKey: 'analytics', version: 0, granted: true },
      { purposeKey: 'analytics', version: 1.5, granted: true },
      { purposeKey: 'analytics', version: 1, granted: 'true' },
    ])
      expect(SetConsentSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });

  it('SetAppAccessSchema takes an app id and a boolean', () => {
    expect(SetAppAccessSchema.safeParse({ appId: '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b', allowed: true }).success).toBe(
      true,
    );
    expect(SetAppAccessSchema.safeParse({ appId: 'checkbook', allowed: true }).success).toBe(false);
    expect(SetAppAccessSchema.safeParse({ appId: '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b', allowed: 1 }).success).toBe(
      false,
    );
  });

  it('EmailChangeTokenSchema takes only the 43 base64url characters of 32 random bytes', () => {
    expect(EmailChangeTokenSchema.safeParse({ token: 'A-_9'.repeat(10) + 'abc' }).success).toBe(true);
    for (const token of ['a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}/`])
      expect(EmailChangeTokenSchema.safeParse({ token }).success).toBe(false);
  });
});

describe('fieldErrorsFrom', () => {
  it('keeps the first message per field, and puts path-less issues on the form', () => {
    expect(
      fieldErrorsFrom([
        { path: ['firstName'], message: 'firstName.required' },
        { path: ['firstName'], message: 'firstName.invalid' },
        { path: ['address', 'postalCode'], message: 'postalCode.invalid' },
        { path: [], message: 'form.invalid' },
      ]),
    ).toEqual({ firstName: 'firstName.required', address: 'postalCode.invalid', form: 'form.invalid' });
    expect(fieldErrorsFrom([])).toEqual({});
  });
});
