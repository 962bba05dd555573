import { describe, expect, it } from 'vitest';

import { requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { prisma } from '@/server/platform/db';

import { uniqueEmail, uniqueIp } from './helpers';

// Defaults from server/platform/env.ts: 5 sends per email, 30 per IP, 15 verifications per email, 60 per IP, per 15 minutes;
// 10 code attempts per email without a success in 24 hours (tests/integration/code-budget.test.ts).

describe('rate limits (counters in PostgreSQL)', () => {
  it('limits sending per email, whatever the IP, and says when to retry', async () => {
    const email = uniqueEmail('limit');
    for (let i = 0; i < 5; i++) expect((await requestSignIn(email, uniqueIp(), 'en')).ok).toBe(true);
    const limited = await requestSignIn(email, uniqueIp(), 'en');
    expect(limited.ok).toBe(false);
    if (!limited.ok) {
      expect(limited.retryAfterSeconds).toBeGreaterThan(0);
      expect(limited.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    }
    // Nothing was written for the refused request: still five challenges and five mails.
    expect(await prisma.signInChallenge.count({ where: { email } })).toBe(5);
    expect(await prisma.devMail.count({ where: { to: email } })).toBe(5);
  });

  it('limits sending per IP, whatever the email', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 30; i++) expect((await requestSignIn(uniqueEmail('ip'), ip, 'en')).ok).toBe(true);
    expect((await requestSignIn(uniqueEmail('ip'), ip, 'en')).ok).toBe(false);
    expect((await requestSignIn(uniqueEmail('ip'), uniqueIp(), 'en')).ok).toBe(true);
  });

  // With the defaults the address's code budget (10) runs out before the 15 per quarter hour.
  it('limits verifying per email across challenges', async () => {
    const email = uniqueEmail('verify');
    let limited = false;
    for (let round = 0; round < 4 && !limited; round++) {
      const sent = await requestSignIn(email, uniqueIp(), 'en');
      if (!sent.ok) break;
      for (let i = 0; i < 5; i++) {
        const result = await verifyCode(sent.challengeId, '999999', uniqueIp());
        if (!result.ok && (result.reason === 'rate-limited' || result.reason === 'codes-paused')) {
          limited = true;
          break;
        }
      }
    }
    expect(limited).toBe(true);
  });

  it('shares counters between app instances (a fresh limiter sees the same count)', async () => {
    const email = uniqueEmail('shared');
    for (let i = 0; i < 5; i++) await requestSignIn(email, uniqueIp(), 'en');
    // Drop this process's limiter objects, as a second instance would start without them.
    delete (globalThis as { accordLimiters?: unknown }).accordLimiters;
    const row = await prisma.rateLimit.findUnique({ where: { key: `send:email:${email}` } });
    expect(row?.points).toBe(5);
    expect((await requestSignIn(email, uniqueIp(), 'en')).ok).toBe(false);
  });
});
