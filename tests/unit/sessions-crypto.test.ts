import { describe, expect, it } from 'vitest';

import { describeUserAgent, isRecentlyAuthenticated, STEP_UP_WINDOW_MS } from '@/server/identity/sessions';
import { hmac, randomCode, randomToken, sha256 } from '@/server/platform/crypto';

describe('describeUserAgent: how the security page names a device', () => {
  it('names browser, major version and system', () => {
    expect(
      describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    ).toEqual({ browser: 'Firefox 128', os: 'Windows 10' });
    expect(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toEqual({ browser: 'Mobile Safari 17', os: 'iOS 17.5' });
  });

  it('says "unknown" rather than nothing', () => {
    for (const userAgent of [null, undefined, '', 'curl-ish/?'])
      expect(describeUserAgent(userAgent)).toEqual({ browser: 'Unknown browser', os: 'Unknown system' });
  });
});

describe('isRecentlyAuthenticated: the step-up window', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('holds for ten minutes after the last proof, edge included', () => {
    expect(STEP_UP_WINDOW_MS).toBe(10 * 60 * 1000);
    expect(isRecentlyAuthenticated(new Date(now - STEP_UP_WINDOW_MS), now)).toBe(true);
    expect(isRecentlyAuthenticated(new Date(now - STEP_UP_WINDOW_MS - 1), now)).toBe(false);
    expect(isRecentlyAuthenticated(new Date(now), now)).toBe(true);
  });
});

describe('secrets at rest', () => {
  it('hashes with SHA-256 (hex)', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('keys codes with a purpose, so one purpose’s hash is no good for another', () => {
    expect(hmac('sign-in-code', '123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(hmac('sign-in-code', '123456')).toBe(hmac('sign-in-code', '123456'));
    expect(hmac('sign-in-code', '123456')).not.toBe(hmac('email-change-code', '123456'));
    expect(hmac('sign-in-code', '123456')).not.toBe(sha256('sign-in-code:123456'));
  });

  it('makes 43-character base64url tokens, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 200 }, randomToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('makes 6-digit codes, leading zeros kept', () => {
    const codes = Array.from({ length: 2_000 }, randomCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    // About 10% start with 0 if leading zeros are kept (none would if they were dropped).
    expect(codes.filter((c) => c.startsWith('0')).length).toBeGreaterThan(100);
  });
});
