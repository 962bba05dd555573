import { beforeAll, describe, expect, it } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import {
  CHALLENGE_TTL_MS,
  confirmLink,
  getPendingChallenge,
  peekLink,
  requestSignIn,
  verifyCode,
} from '@/server/identity/sign-in';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { latestSignInMail, uniqueEmail, uniqueIp } from './helpers';

beforeAll(async () => {
  await ensureConsentPurposes();
});

async function request(email: string, ip = uniqueIp()) {
  const result = await requestSignIn(email, ip, 'en');
  if (!result.ok) throw new Error('unexpectedly rate limited');
  return { challengeId: result.challengeId, ...(await latestSignInMail(email)) };
}

describe('requesting a sign-in', () => {
  it('mails one link and one 6-digit code, stores only their hashes, and expires in 15 minutes', async () => {
    const email = uniqueEmail();
    const { challengeId, code, token, html } = await request(email);
    const row = await prisma.signInChallenge.findUniqueOrThrow({ where: { id: challengeId } });
    expect(row.email).toBe(email);
    expect(row.codeHash).not.toContain(code);
    expect(row.linkTokenHash).not.toBe(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(CHALLENGE_TTL_MS - 5_000);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(CHALLENGE_TTL_MS + 5_000);
    expect(CHALLENGE_TTL_MS).toBe(15 * 60 * 1000);
    expect(html).toContain(`/signin/confirm?token=${token}`);
  });

  it('answers a known and an unknown email the same way, and writes no customer for either', async () => {
    const known = await createCustomer({ email: uniqueEmail('known') });
    const unknown = uniqueEmail('unknown');
    const a = await requestSignIn(known.email, uniqueIp(), 'en');
    const b = await requestSignIn(unknown, uniqueIp(), 'en');
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a.ok && b.ok).toBe(true);
    expect(await prisma.user.count({ where: { email: unknown } })).toBe(0);
    const [mailA, mailB] = await Promise.all([latestSignInMail(known.email), latestSignInMail(unknown)]);
    const subjects = await prisma.devMail.findMany({
      where: { to: { in: [known.email, unknown] } },
      select: { subject: true },
    });
    expect(new Set(subjects.map((s) => s.subject)).size).toBe(1);
    expect(mailA.text.replace(/\d{6}|token=\S+/g, '')).toBe(mailB.text.replace(/\d{6}|token=\S+/g, ''));
  });

  it('retires the previous challenge: an older code no longer works', async () => {
    const email = uniqueEmail();
    const first = await request(email);
    const second = await request(email);
    expect(await verifyCode(first.challengeId, first.code, uniqueIp())).toEqual({ ok: false, reason: 'expired' });
    expect(await getPendingChallenge(first.challengeId)).toBeNull();
    expect((await verifyCode(second.challengeId, second.code, uniqueIp())).ok).toBe(true);
  });
});

describe('the code', () => {
  it('registers a new customer once, with a customer.created event in the outbox', async () => {
    const email = uniqueEmail();
    const { challengeId, code } = await request(email);
    const result = await verifyCode(challengeId, code, uniqueIp());
    expect(result).toMatchObject({ ok: true, isNew: true, onboarded: false });
    const customer = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(customer.emailVerified).not.toBeNull();
    const events = await prisma.outboxEvent.findMany({ where: { customerId: customer.id } });
    expect(events.map((e) => e.type)).toEqual(['customer.created']);
  });

  it('signs an existing customer in without creating another', async () => {
    const existing = await createCustomer({ email: uniqueEmail('existing') });
    const { challengeId, code } = await request(existing.email);
    expect(await verifyCode(challengeId, code, uniqueIp())).toEqual({
      ok: true,
      customerId: existing.id,
      isNew: false,
      onboarded: true,
    });
  });

  it('is single-use', async () => {
    const { challengeId, code } = await request(uniqueEmail());
    expect((await verifyCode(challengeId, code, uniqueIp())).ok).toBe(true);
    expect(await verifyCode(challengeId, code, uniqueIp())).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused once expired', async () => {
    const { challengeId, code } = await request(uniqueEmail());
    await prisma.$executeRaw`UPDATE sign_in_challenges SET expires_at = now() - interval '1 second' WHERE id = ${challengeId}::uuid`;
    expect(await verifyCode(challengeId, code, uniqueIp())).toEqual({ ok: false, reason: 'expired' });
  });

  it('dies after five wrong codes: even the right one is then refused', async () => {
    const { challengeId, code } = await request(uniqueEmail());
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await verifyCode(challengeId, wrong, uniqueIp()));
    expect(answers.slice(0, 4).map((a) => (a.ok ? 'ok' : 'attemptsLeft' in a ? a.attemptsLeft : a.reason))).toEqual([
      4, 3, 2, 1,
    ]);
    expect(answers[4]).toEqual({ ok: false, reason: 'code-dead' });
    expect(await verifyCode(challengeId, code, uniqueIp())).toEqual({ ok: false, reason: 'code-dead' });
  });

  it('lets exactly one of many concurrent right answers through', async () => {
    const email = uniqueEmail();
    const { challengeId, code } = await request(email);
    const results = await Promise.all(Array.from({ length: 8 }, () => verifyCode(challengeId, code, uniqueIp())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });

  it('does not check codes for an unknown or malformed challenge id', async () => {
    expect(await verifyCode('not-a-uuid', '123456', uniqueIp())).toEqual({ ok: false, reason: 'expired' });
    expect(await verifyCode('00000000-0000-4000-8000-000000000000', '123456', uniqueIp())).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});

describe('the link', () => {
  it('is not used by looking at it (a scanner GET), only by the confirmation', async () => {
    const email = uniqueEmail();
    const { token } = await request(email);
    for (let i = 0; i < 3; i++) expect(await peekLink(token)).toEqual({ email });
    expect((await confirmLink(token)).ok).toBe(true);
    expect(await peekLink(token)).toBeNull();
  });

  it('is single-use', async () => {
    const { token } = await request(uniqueEmail());
    expect((await confirmLink(token)).ok).toBe(true);
    expect(await confirmLink(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused once expired', async () => {
    const { challengeId, token } = await request(uniqueEmail());
    await prisma.$executeRaw`UPDATE sign_in_challenges SET expires_at = now() - interval '1 second' WHERE id = ${challengeId}::uuid`;
    expect(await peekLink(token)).toBeNull();
    expect(await confirmLink(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('leaves the code usable on the first device, for the same customer', async () => {
    const email = uniqueEmail();
    const { challengeId, code, token } = await request(email);
    const byLink = await confirmLink(token);
    const byCode = await verifyCode(challengeId, code, uniqueIp());
    expect(byLink.ok && byCode.ok).toBe(true);
    if (byLink.ok && byCode.ok) expect(byCode.customerId).toBe(byLink.customerId);
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });
});
