import 'server-only';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import { Prisma } from '@/server/generated/prisma/client';
import { deliverNow, isMailQueued } from '@/server/mail/queue';
import { enqueueMail, signInMail } from '@/server/mail/send';
import { hmac, hmacCandidates, randomCode, randomToken, sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { countSignInCode } from '@/server/platform/metrics';
import { writeEvent } from '@/server/platform/outbox';
import { codePause, consume, refillCodeBudget, spendCodeAttempt } from '@/server/platform/rate-limit';

// docs/decisions/004-scanner-safe-sign-in-links.md
export const CHALLENGE_TTL_MS = 15 * 60 * 1000;
export const MAX_CODE_ATTEMPTS = 5;

export type RequestSignInResult =
  { ok: true; challengeId: string; mail: 'sent' | 'queued' } | { ok: false; retryAfterSeconds: number };

/**
 * Emails a sign-in link and code to any well-formed address. Known and unknown
 * addresses take the same path and get the same answer: registration and
 * sign-in are one flow, so the response says nothing about who has an account.
 */
export async function requestSignIn(email: string, ip: string, requestLocale: Locale): Promise<RequestSignInResult> {
  const limit = await consume([
    ['sendPerEmail', email],
    ['sendPerIp', ip],
  ]);
  if (!limit.ok) return limit;

  const token = randomToken();
  const code = randomCode();
  const link = `${getEnv().APP_URL}/signin/confirm?token=${token}`;
  const { challengeId, mailId } = await prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email }, select: { locale: true } });
    const locale = existing && isLocale(existing.locale) ? existing.locale : requestLocale;
    // One live challenge per email: a new request retires the older ones, so
    // each wrong-code budget cannot be multiplied by asking again.
    await tx.signInChallenge.updateMany({
      where: { email, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { revokedAt: new Date() },
    });
    const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
    const challenge = await tx.signInChallenge.create({
      data: { email, linkTokenHash: sha256(token), codeHash: hmac('sign-in-code', code), expiresAt, locale },
      select: { id: true },
    });
    const mail = await signInMail({ to: email, locale, link, code });
    const mailId = await enqueueMail(tx, {
      ...mail,
      key: signInMailKey(challenge.id),
      purpose: 'sign-in',
      expiresAt,
    });
    return { challengeId: challenge.id, mailId };
  });
  return { ok: true, challengeId, mail: await deliverNow([mailId]) };
}

const signInMailKey = (challengeId: string) => `sign-in:${challengeId}`;

/**
 * What the code page shows: where the mail went. Null once it cannot be used,
 * unless `includeEnded` (for "Send a new code" after a dead or expired code).
 */
export async function getPendingChallenge(
  challengeId: string,
  opts: { includeEnded?: boolean } = {},
): Promise<{ email: string; mailQueued: boolean } | null> {
  if (!isUuid(challengeId)) return null;
  const challenge = await prisma.signInChallenge.findFirst({
    where: opts.includeEnded
      ? { id: challengeId }
      : { id: challengeId, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { email: true },
  });
  if (!challenge) return null;
  return { email: challenge.email, mailQueued: await isMailQueued(signInMailKey(challengeId)) };
}

export type VerifyResult =
  | { ok: true; customerId: string; isNew: boolean; onboarded: boolean }
  | { ok: false; reason: 'wrong-code'; attemptsLeft: number }
  | { ok: false; reason: 'code-dead' | 'expired' }
  | { ok: false; reason: 'rate-limited' | 'codes-paused'; retryAfterSeconds: number };

/**
 * Checks a typed code against the challenge this device asked for. Besides the
 * five tries of each code, the address has a budget of code attempts over 24
 * hours (server/platform/rate-limit.ts spendCodeAttempt); once it is spent, codes
 * are refused, whatever they are, while the link of the latest mail still works.
 */
export async function verifyCode(challengeId: string, code: string, ip: string): Promise<VerifyResult> {
  const result = await checkCode(challengeId, code, ip);
  countSignInCode(result.ok ? 'verified' : result.reason);
  return result;
}

async function checkCode(challengeId: string, code: string, ip: string): Promise<VerifyResult> {
  if (!isUuid(challengeId)) return { ok: false, reason: 'expired' };
  const challenge = await prisma.signInChallenge.findUnique({ where: { id: challengeId }, select: { email: true } });
  if (!challenge) return { ok: false, reason: 'expired' };
  const paused = await codePause(challenge.email);
  if (!paused.ok) return { ok: false, reason: 'codes-paused', retryAfterSeconds: paused.retryAfterSeconds };
  const limit = await consume([
    ['verifyPerEmail', challenge.email],
    ['verifyPerIp', ip],
  ]);
  if (!limit.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };
  const budget = await spendCodeAttempt(challenge.email);
  if (!budget.ok) return { ok: false, reason: 'codes-paused', retryAfterSeconds: budget.retryAfterSeconds };

  // Single use and attempt counting are each one conditional UPDATE, so two
  // concurrent requests cannot both succeed or both slip under the limit.
  const used = await prisma.$queryRaw<Array<{ email: string }>>`
    UPDATE sign_in_challenges SET code_used_at = now()
    WHERE id = ${challengeId}::uuid AND code_hash = ANY(${hmacCandidates('sign-in-code', code)}::text[])
      AND code_used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      AND failed_attempts < ${MAX_CODE_ATTEMPTS}
    RETURNING email`;
  if (used[0]) return { ok: true, ...(await signInByEmail(used[0].email)) };

  // A dead code leaves the challenge's link alive: someone guessing codes
  // cannot take from the customer the link of the mail they received.
  const failed = await prisma.$queryRaw<Array<{ failed_attempts: number }>>`
    UPDATE sign_in_challenges SET failed_attempts = LEAST(failed_attempts + 1, ${MAX_CODE_ATTEMPTS})
    WHERE id = ${challengeId}::uuid AND code_used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
    RETURNING failed_attempts`;
  if (!failed[0]) return { ok: false, reason: 'expired' };
  const attemptsLeft = MAX_CODE_ATTEMPTS - failed[0].failed_attempts;
  return attemptsLeft > 0 ? { ok: false, reason: 'wrong-code', attemptsLeft } : { ok: false, reason: 'code-dead' };
}

/** Read-only look at a link, for the confirmation page: consumes nothing. */
export async function peekLink(token: string): Promise<{ email: string } | null> {
  return prisma.signInChallenge.findFirst({
    where: { linkTokenHash: sha256(token), linkUsedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { email: true },
  });
}

/** The confirmation POST: uses the link once. */
export async function confirmLink(
  token: string,
): Promise<Extract<VerifyResult, { ok: true }> | { ok: false; reason: 'expired' }> {
  const used = await prisma.$queryRaw<Array<{ email: string }>>`
    UPDATE sign_in_challenges SET link_used_at = now()
    WHERE link_token_hash = ${sha256(token)} AND link_used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
    RETURNING email`;
  if (!used[0]) return { ok: false, reason: 'expired' };
  return { ok: true, ...(await signInByEmail(used[0].email)) };
}

/** The address is proven: find the customer, or register a new one. */
async function signInByEmail(email: string): Promise<{ customerId: string; isNew: boolean; onboarded: boolean }> {
  const existing = await prisma.user.findUnique({
    where: { email },
    select: { id: true, onboardedAt: true, emailVerified: true },
  });
  await refillCodeBudget(email);
  if (existing) {
    if (!existing.emailVerified) {
      await prisma.user.update({ where: { id: existing.id }, data: { emailVerified: new Date() } });
    }
    return { customerId: existing.id, isNew: false, onboarded: existing.onboardedAt !== null };
  }
  const challenge = await prisma.signInChallenge.findFirst({
    where: { email },
    orderBy: { createdAt: 'desc' },
    select: { locale: true },
  });
  try {
    const created = await prisma.$transaction(async (tx) => {
      const customer = await tx.user.create({
        data: { email, emailVerified: new Date(), locale: challenge?.locale ?? 'en' },
        select: { id: true },
      });
      await writeEvent(tx, 'customer.created', customer.id, { fields: ['email'] });
      return customer;
    });
    return { customerId: created.id, isNew: true, onboarded: false };
  } catch (error) {
    // The link and the code of one mail used at the same moment: both sign in to the same customer.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return signInByEmail(email);
    throw error;
  }
}
