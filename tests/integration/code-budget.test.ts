import { beforeAll, describe, expect, it } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { confirmLink, requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { latestSignInMail, uniqueEmail, uniqueIp } from './helpers';

// Default budget (server/platform/env.ts RATE_LIMIT_CODE_FAILURES): 10 code
// attempts per address without a success in 24 hours.
const BUDGET = 10;
const DAY_S = 24 * 60 * 60;

beforeAll(async () => {
  await ensureConsentPurposes();
});

async function request(email: string) {
  const result = await requestSignIn(email, uniqueIp(), 'en');
  if (!result.ok) throw new Error('unexpectedly rate limited');
  return { challengeId: result.challengeId, ...(await latestSignInMail(email)) };
}

/** Types `count` wrong codes for this address, from new addresses, asking for a new mail when a code dies. */
async function guessWrong(email: string, count: number) {
  let current = await request(email);
  for (let i = 0; i < count; i++) {
    const wrong = current.code === '000000' ? '111111' : '000000';
    const result = await verifyCode(current.challengeId, wrong, uniqueIp());
    if (!result.ok && result.reason === 'code-dead') current = await request(email);
    else expect(result).toMatchObject({ ok: false, reason: 'wrong-code' });
  }
}

/** The 15-minute limits are not what these tests look at: a new quarter hour. */
async function nextQuarterHour(email: string) {
  await prisma.rateLimit.deleteMany({ where: { key: { in: [`verify:email:${email}`, `send:email:${email}`] } } });
}

describe('the code budget of an address', () => {
  it('pauses codes after the budget is spent, even the right one, while the link of the latest mail signs in', async () => {
    const customer = await createCustomer({ email: uniqueEmail('budget') });
    await guessWrong(customer.email, BUDGET - 1);
    await nextQuarterHour(customer.email);
    const latest = await request(customer.email);
    // The last attempt of the budget: still checked, still wrong.
    const wrong = latest.code === '000000' ? '111111' : '000000';
    expect(await verifyCode(latest.challengeId, wrong, uniqueIp())).toMatchObject({ reason: 'wrong-code' });

    const paused = await verifyCode(latest.challengeId, latest.code, uniqueIp());
    expect(paused).toMatchObject({ ok: false, reason: 'codes-paused' });
    if (!paused.ok && 'retryAfterSeconds' in paused) {
      expect(paused.retryAfterSeconds).toBeGreaterThan(DAY_S - 60);
      expect(paused.retryAfterSeconds).toBeLessThanOrEqual(DAY_S);
    }
    // A new mail does not lift the pause.
    const again = await request(customer.email);
    expect(await verifyCode(again.challengeId, again.code, uniqueIp())).toMatchObject({ reason: 'codes-paused' });

    // The customer still signs in with the link of the latest mail, and that success refills the budget.
    expect(await confirmLink(again.token)).toMatchObject({ ok: true, customerId: customer.id });
    await nextQuarterHour(customer.email);
    const after = await request(customer.email);
    expect(await verifyCode(after.challengeId, after.code, uniqueIp())).toMatchObject({
      ok: true,
      customerId: customer.id,
    });
  });

  it('doubles the pause each time the budget is spent again within 30 days', async () => {
    const email = uniqueEmail('escalate');
    const pauseAfterSpending = async () => {
      await guessWrong(email, BUDGET);
      const latest = await request(email);
      const paused = await verifyCode(latest.challengeId, latest.code, uniqueIp());
      expect(paused).toMatchObject({ ok: false, reason: 'codes-paused' });
      return !paused.ok && 'retryAfterSeconds' in paused ? paused.retryAfterSeconds : 0;
    };
    expect(await pauseAfterSpending()).toBeGreaterThan(DAY_S - 60);
    // The first pause is over.
    await prisma.$executeRaw`UPDATE rate_limits SET expire = 1 WHERE key = ${`code:email:${email}`}`;
    await nextQuarterHour(email);
    const second = await pauseAfterSpending();
    expect(second).toBeGreaterThan(2 * DAY_S - 60);
    expect(second).toBeLessThanOrEqual(2 * DAY_S);
  });

  it('a code killed by wrong guesses leaves the link of its mail working', async () => {
    const customer = await createCustomer({ email: uniqueEmail('dead-code') });
    const { challengeId, code, token } = await request(customer.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await verifyCode(challengeId, wrong, uniqueIp());
    expect(await verifyCode(challengeId, code, uniqueIp())).toEqual({ ok: false, reason: 'code-dead' });
    expect(await confirmLink(token)).toMatchObject({ ok: true, customerId: customer.id });
  });

  it('counts unknown addresses the same way (the answer says nothing about accounts)', async () => {
    const email = uniqueEmail('nobody');
    await guessWrong(email, BUDGET);
    const latest = await request(email);
    expect(await verifyCode(latest.challengeId, latest.code, uniqueIp())).toMatchObject({ reason: 'codes-paused' });
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });
});

describe('per-IP limits on IPv6', () => {
  it('count a whole /64 as one client', async () => {
    const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
    const address = () => `${network}:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
    // Default 30 sends per IP per 15 minutes.
    for (let i = 0; i < 30; i++) expect((await requestSignIn(uniqueEmail('v6'), address(), 'en')).ok).toBe(true);
    expect((await requestSignIn(uniqueEmail('v6'), `${network}:ffff:ffff:ffff:ffff`, 'en')).ok).toBe(false);
    expect((await requestSignIn(uniqueEmail('v6'), '2001:db8:ffff:8::1', 'en')).ok).toBe(true);
  });
});
