import { describe, expect, it } from 'vitest';

import { negotiateLocale } from '@/lib/i18n/negotiate';
import { safeReturnPath } from '@/lib/safe-redirect';
import { isUuid } from '@/lib/uuid';

describe('safeReturnPath: only a path of this site', () => {
  it.each([
    ['/', '/'],
    ['/account/privacy?tab=receipts#history', '/account/privacy?tab=receipts#history'],
    // Encoded slashes are a path segment to the browser, not a host.
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('keeps %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a relative path', 'account'],
    ['a scheme', 'javascript:alert(1)'],
    ['a protocol-relative URL', '//evil.example/account'],
    ['a backslash the browser reads as a slash', '/\\evil.example'],
    ['a leading backslash', '\\\\evil.example'],
    // Browsers drop tabs and newlines from URLs: "/\t/evil" would become "//evil".
    ['a tab', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a NUL', '/account\u0000'],
    ['a number', 42],
    ['an object', { toString: () => '/account' }],
    ['null', null],
  ])('refuses %s', (_, input) => {
    expect(safeReturnPath(input)).toBe('/account');
  });

  it('refuses paths longer than 512 characters', () => {
    const path512 = `/${'a'.repeat(511)}`;
    expect(safeReturnPath(path512)).toBe(path512);
    expect(safeReturnPath(`${path512}a`)).toBe('/account');
  });

  it('falls back to the fallback given', () => {
    expect(safeReturnPath('https://evil.example', '/welcome')).toBe('/welcome');
  });
});

describe('isUuid: safe to cast to ::uuid', () => {
  it.each([
    '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b',
    '0B8F6C1E-7D3A-4F41-9A8E-2F0C5D9E1A7B',
    '00000000-0000-0000-0000-000000000000',
    // Version 7 and a non-RFC variant: PostgreSQL takes any 8-4-4-4-12 hex.
    '01933f7e-1a2b-7c3d-8e4f-0123456789ab',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ])('accepts %s', (value) => {
    expect(isUuid(value)).toBe(true);
  });

  it.each([
    ['too short', '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7'],
    ['too long', '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7bb'],
    ['without hyphens', '0b8f6c1e7d3a4f419a8e2f0c5d9e1a7b'],
    ['in braces', '{0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b}'],
    ['with a trailing newline', '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b\n'],
    ['with a non-hex digit', '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7g'],
    ['with SQL after it', "0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b' OR '1'='1"],
    ['empty', ''],
    ['not a string', 42],
    ['undefined', undefined],
  ])('refuses one %s', (_, value) => {
    expect(isUuid(value)).toBe(false);
  });
});

describe('negotiateLocale: Accept-Language with q-values', () => {
  it.each([
    ['the higher q wins over the order', 'en;q=0.5, fr;q=0.9', 'fr'],
    ['q=0 means "not this one"', 'fr;q=0', 'en'],
    ['a regional variant at q=0 excludes it', 'fr-CA;q=0', 'en'],
    ['a regional variant keeps its own q', 'fr-CA;q=0.1, en;q=0.9', 'en'],
    ['a regional variant keeps its own q (the other way)', 'fr-CA;q=0.9, en;q=0.5', 'fr'],
    ['no q means 1', 'en;q=0.5, fr-CA', 'fr'],
    // Negotiator alone would rank the exact "en" above a prefix match of "fr-CA" at the same q.
    ['the first of equal q-values wins, regional or not', 'fr-CA, en', 'fr'],
    ['the first of equal q-values wins (the other way)', 'en-US, fr', 'en'],
    ['language tags are case-insensitive', 'FR-CA, en', 'fr'],
    ['case does not matter', 'FR-ca', 'fr'],
    ['an exact English beats a lower French', 'en-GB,en;q=0.9,fr;q=0.8', 'en'],
    ['an unsupported first choice is skipped', 'zh-Hant-TW, fr;q=0.3', 'fr'],
    ['"*" gives the default', '*', 'en'],
    ['"*" outranks a lower explicit language', '*;q=0.1, fr;q=0.05', 'en'],
    ['an explicit low q outranks "*" for that language only', 'es, *;q=0.5, en;q=0.1', 'fr'],
    ['a malformed q-value does not count', 'fr;q=abc, en;q=0.2', 'en'],
  ])('%s: %j → %s', (_, header, expected) => {
    expect(negotiateLocale(undefined, header)).toBe(expected);
  });

  it('ignores a saved choice that is not a supported locale', () => {
    expect(negotiateLocale('de', 'fr')).toBe('fr');
    expect(negotiateLocale('', null)).toBe('en');
  });
});
