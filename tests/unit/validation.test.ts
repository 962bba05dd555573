import { describe, expect, it } from 'vitest';

import { safeReturnPath } from '@/lib/safe-redirect';
import { EmailSchema } from '@/lib/validation/email';
import { CompleteOnboardingSchema, PersonNameSchema } from '@/lib/validation/onboarding';
import { ConfirmLinkSchema, VerifyCodeSchema } from '@/lib/validation/sign-in';

const issue = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) => r.error?.issues[0]?.message;

describe('EmailSchema', () => {
  it('trims and lower-cases', () => {
    expect(EmailSchema.parse('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });
  it.each([
    ['', 'email.required'],
    ['not-an-email', 'email.invalid'],
    ['a@b', 'email.invalid'],
    ['a\u0007@example.com', 'email.invalid'],
    ['a\n@example.com', 'email.invalid'],
    [`${'a'.repeat(250)}@example.com`, 'email.tooLong'],
    ['<script>@example.com', 'email.invalid'],
  ])('refuses %j with %s', (value, key) => {
    expect(issue(EmailSchema.safeParse(value))).toBe(key);
  });
});

describe('names and onboarding', () => {
  it('accepts names of many scripts', () => {
    for (const name of ['Zoé', "O'Brien", 'Jean-Luc', 'Łukasz', '李', 'José María'])
      expect(PersonNameSchema.parse(name)).toBe(name);
  });
  it.each([
    ['', 'firstName.required'],
    ['a'.repeat(300), 'firstName.tooLong'],
    ['<script>alert(1)</script>', 'firstName.invalid'],
    ['Ada\u0000', 'firstName.invalid'],
    ['Ada\u202e', 'firstName.invalid'],
  ])('refuses %j', (value, key) => {
    expect(issue(PersonNameSchema.safeParse(value))).toBe(key);
  });
  it('requires the terms to be accepted', () => {
    expect(issue(CompleteOnboardingSchema.safeParse({ firstName: 'Ada', acceptTerms: false }))).toBe(
      'acceptTerms.required',
    );
  });
});

describe('codes and links', () => {
  it('accepts 6 digits, with spaces as typed from the mail', () => {
    expect(VerifyCodeSchema.parse({ code: '123 456' }).code).toBe('123456');
  });
  it.each(['12345', '1234567', 'abcdef', '12345a'])('refuses code %j', (code) => {
    expect(VerifyCodeSchema.safeParse({ code }).success).toBe(false);
  });
  it('accepts only 43-character base64url link tokens', () => {
    expect(ConfirmLinkSchema.safeParse({ token: 'a'.repeat(43) }).success).toBe(true);
    expect(ConfirmLinkSchema.safeParse({ token: 'a'.repeat(42) }).success).toBe(false);
    expect(ConfirmLinkSchema.safeParse({ token: `${'a'.repeat(42)}'` }).success).toBe(false);
  });
});

describe('safeReturnPath', () => {
  it.each([
    ['/account/profile', '/account/profile'],
    ['https://evil.example', '/account'],
    ['//evil.example', '/account'],
    ['/\\evil.example', '/account'],
    ['/ok\r\nSet-Cookie: x', '/account'],
    [undefined, '/account'],
  ])('%j → %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});
