import 'server-only';

import { describeUserAgent } from '@/server/identity/sessions';
import { writeAudit } from '@/server/platform/audit';
import { hmac, hmacCandidates, randomCode } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { consume, spendSupportCodeFailure, supportCodeFailurePause } from '@/server/platform/rate-limit';
import type { StaffActor } from '@/server/staff/auth';

import { openCase } from './cases';

// The signed-in handoff (docs/decisions/036-support-console.md): the customer's portal
// session shows a code, the customer reads it to the agent, the agent types it.

export const SUPPORT_CODE_TTL_MS = 10 * 60 * 1000;
export const SUPPORT_CODE_MAX_ATTEMPTS = 5;
const HMAC_PURPOSE = 'support-code';

export type IssuedCode = { ok: true; code: string; expiresAt: Date } | { ok: false; retryAfterSeconds: number };

/** A fresh code for this portal session; it replaces the session's previous one. */
export async function issueSupportCode(customer: { id: string; sessionId: string }): Promise<IssuedCode> {
  const limit = await consume([['supportCodePerCustomer', customer.id]]);
  if (!limit.ok) return limit;
  const code = randomCode();
  const expiresAt = new Date(Date.now() + SUPPORT_CODE_TTL_MS);
  const data = { customerId: customer.id, codeHash: hmac(HMAC_PURPOSE, code), attempts: 0, expiresAt, usedAt: null };
  await prisma.supportCode.upsert({
    where: { sessionId: customer.sessionId },
    create: { ...data, sessionId: customer.sessionId },
    update: { ...data, createdAt: new Date() },
  });
  return { ok: true, code, expiresAt };
}

/** The session's live code's expiry, so a reload says one is already shown (the code itself is not kept). */
export async function liveSupportCodeExpiry(sessionId: string): Promise<Date | null> {
  const row = await prisma.supportCode.findFirst({
    where: {
      sessionId,
      usedAt: null,
      expiresAt: { gt: new Date() },
      attempts: { lt: SUPPORT_CODE_MAX_ATTEMPTS },
    },
    select: { expiresAt: true },
  });
  return row?.expiresAt ?? null;
}

export type CodeVerification =
  | { ok: true; caseId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/** "Chrome on macOS": the device the customer recognises, without version numbers. */
export function sessionLabel(userAgent: string | null): string {
  const { browser, os } = describeUserAgent(userAgent);
  const system = os.replace(/ [\d.]+$/, '').replace(/^Mac OS$/, 'macOS');
  return `${browser.replace(/ \d+$/, '')} on ${system}`;
}

/**
 * The agent names the customer (exact email) and types the code they read out.
 * A match opens a case. A wrong code, a dead code and an unknown email answer the
 * same (no enumeration) and each spends one of the agent's 10 failures an hour.
 */
export async function verifySupportCode(
  actor: StaffActor,
  input: { email: string; code: string },
): Promise<CodeVerification> {
  const pause = await supportCodeFailurePause(actor.id);
  if (!pause.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: pause.retryAfterSeconds };

  const now = new Date();
  const customer = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  const live = customer
    ? await prisma.supportCode.findMany({
        where: {
          customerId: customer.id,
          usedAt: null,
          expiresAt: { gt: now },
          attempts: { lt: SUPPORT_CODE_MAX_ATTEMPTS },
          session: { expires: { gt: now } },
        },
        select: { id: true, codeHash: true, sessionId: true, session: { select: { userAgent: true } } },
      })
    : [];
  const candidates = /^\d{6}$/.test(input.code) ? new Set(hmacCandidates(HMAC_PURPOSE, input.code)) : new Set();
  const match = live.find((row) => candidates.has(row.codeHash));

  if (customer && match) {
    const caseId = await prisma.$transaction(async (tx) => {
      // Single use under concurrency: only the request that flips used_at opens the case.
      const claimed = await tx.supportCode.updateMany({
        where: { id: match.id, usedAt: null, attempts: { lt: SUPPORT_CODE_MAX_ATTEMPTS }, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (claimed.count !== 1) return null;
      const label = sessionLabel(match.session.userAgent);
      await writeAudit(tx, actor.audit, {
        action: 'support.code.verify',
        objectId: customer.id,
        customerId: customer.id,
        reason: 'support code',
      });
      return openCase(tx, actor, {
        customerId: customer.id,
        method: 'support-code',
        sessionId: match.sessionId,
        sessionLabel: label,
      });
    });
    if (caseId) return { ok: true, caseId };
  }

  await prisma.$transaction(async (tx) => {
    // Every live code of the named customer loses a try: five wrong guesses kill a code.
    if (customer && live.length)
      await tx.supportCode.updateMany({
        where: { id: { in: live.map((row) => row.id) } },
        data: { attempts: { increment: 1 } },
      });
    await writeAudit(tx, actor.audit, {
      action: 'support.code.fail',
      objectId: null,
      customerId: customer?.id ?? null,
      details: { knownCustomer: customer !== null },
    });
  });
  await spendSupportCodeFailure(actor.id);
  return { ok: false, reason: 'invalid' };
}
