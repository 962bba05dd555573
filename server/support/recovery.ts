import 'server-only';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { StartRecoverySchema, type RecoveryProof } from '@/lib/validation/support-recovery';
import { maskEmail, maskPhone } from '@/server/customers/masks';
import { recordProfileChange } from '@/server/customers/profile';
import { openRevertWhere } from '@/server/customers/revert-window';
import { Prisma } from '@/server/generated/prisma/client';
import { writeSecurityEvent } from '@/server/identity/security-events';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { endProviderSessions } from '@/server/oidc/grants';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { hmac, hmacCandidates, randomCode, randomToken, sha256 } from '@/server/platform/crypto';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';
import { writeEvent } from '@/server/platform/outbox';

import { SUPPORT_CODE_MAX_ATTEMPTS } from './codes';
import {
  recoveryAppliedMail,
  recoveryAppliedSms,
  recoveryCodeSms,
  recoveryHeldMail,
  recoveryHeldSms,
} from './recovery-mail';
import { recordSms, sendQueuedSms, type Sms } from './sms';

// Account recovery through support, after NIST SP 800-63B-4 §4.2 (account recovery): an agent
// alone never recovers an account. The recovery needs every proof the brand configures
// (SUPPORT_RECOVERY_PROOFS), then waits SUPPORT_RECOVERY_HOLD_HOURS, while the address and the
// phone on file have been told and any session of the customer, or the notice's link, can cancel
// it; only then does the worker apply it. docs/support.md is the agents' procedure.

export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes, both proofs together: past this the recovery is dead and a new one must start. */
export const MAX_FAILED_PROOFS = 5;
/** An SMS at most this often per recovery: a caller cannot make us text a number in a loop. */
const PHONE_CODE_INTERVAL_MS = 60 * 1000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const LIVE = ['proving', 'held'];

export type RecoveryStatus = 'proving' | 'held' | 'cancelled' | 'applied' | 'failed';

/** Who acts: the agent of an open case (requireOpenCase), on that case's customer. */
export type RecoveryAgent = { actor: AuditActor; agentId: string; caseId: string; customerId: string };

export type RecoveryView = {
  id: string;
  status: RecoveryStatus;
  newEmail: string;
  proofs: Array<{ proof: RecoveryProof; done: boolean }>;
  /** The phone on file, masked, when a code can go there. */
  maskedPhone: string | null;
  attemptsLeft: number;
  holdUntil: Date | null;
  createdAt: Date;
  cancelledBy: string | null;
};

const localeOf = (value: string): Locale => (isLocale(value) ? value : 'en');

/** The case's customer's latest recovery, as the case page shows it (what the agent typed, proofs, hold). */
export async function getLatestRecovery(customerId: string): Promise<RecoveryView | null> {
  const row = await prisma.supportRecovery.findFirst({
    where: { customerId },
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      status: true,
      newEmail: true,
      proofs: true,
      sessionProvedAt: true,
      phoneProvedAt: true,
      failedAttempts: true,
      holdUntil: true,
      createdAt: true,
      cancelledBy: true,
      customer: { select: { phone: { select: { e164: true } } } },
    },
  });
  if (!row) return null;
  const proofs = row.proofs as RecoveryProof[];
  return {
    id: row.id,
    status: row.status as RecoveryStatus,
    newEmail: row.newEmail,
    proofs: proofs.map((proof) => ({
      proof,
      done: (proof === 'session-code' ? row.sessionProvedAt : row.phoneProvedAt) !== null,
    })),
    maskedPhone: proofs.includes('phone-code') && row.customer.phone ? maskPhone(row.customer.phone.e164) : null,
    attemptsLeft: Math.max(0, MAX_FAILED_PROOFS - row.failedAttempts),
    holdUntil: row.holdUntil,
    createdAt: row.createdAt,
    cancelledBy: row.cancelledBy,
  };
}

/** The customer's recovery in its hold, for the banner on /account: only when the customer can still stop it. */
export async function getHeldRecoveryForCustomer(
  customerId: string,
): Promise<{ id: string; holdUntil: Date; maskedNewEmail: string } | null> {
  const row = await prisma.supportRecovery.findFirst({
    where: { customerId, status: { in: LIVE } },
    select: { id: true, holdUntil: true, newEmail: true, status: true },
  });
  if (!row) return null;
  return {
    id: row.id,
    holdUntil: row.holdUntil ?? new Date(Date.now() + getEnv().SUPPORT_RECOVERY_HOLD_HOURS * 3_600_000),
    maskedNewEmail: maskEmail(row.newEmail),
  };
}

export type StartRecoveryResult =
  | { ok: true; id: string }
  | {
      ok: false;
      reason: 'invalid-email' | 'not-found' | 'same-address' | 'already-open' | 'address-taken' | 'no-proof';
    };

/**
 * Opens a recovery for the new address the caller gives. The proofs are the brand's, less the
 * phone code when there is no phone on file (then the other proof alone, with the hold and the
 * notices, stands: docs/support.md); nothing is sent yet.
 */
export async function startRecovery(agent: RecoveryAgent, newEmailInput: unknown): Promise<StartRecoveryResult> {
  const parsed = StartRecoverySchema.safeParse({ newEmail: newEmailInput });
  if (!parsed.success) return { ok: false, reason: 'invalid-email' };
  const { newEmail } = parsed.data;
  return withCustomerLock(agent.customerId, async (tx, customer): Promise<StartRecoveryResult> => {
    if (!customer) return { ok: false, reason: 'not-found' };
    if (customer.email === newEmail) return { ok: false, reason: 'same-address' };
    const live = await tx.supportRecovery.count({ where: { customerId: customer.id, status: { in: LIVE } } });
    if (live > 0) return { ok: false, reason: 'already-open' };
    // The agent of a verified case may learn this: it is the caller's own address, and the change
    // would fail at the end anyway.
    const taken = await tx.user.count({ where: { email: newEmail } });
    if (taken > 0) return { ok: false, reason: 'address-taken' };
    const phone = await tx.customerPhone.findUnique({ where: { customerId: customer.id }, select: { e164: true } });
    const proofs = (getEnv().SUPPORT_RECOVERY_PROOFS as RecoveryProof[]).filter(
      (proof) => proof !== 'phone-code' || phone !== null,
    );
    if (proofs.length === 0) return { ok: false, reason: 'no-proof' };
    const recovery = await tx.supportRecovery.create({
      data: { customerId: customer.id, agentId: agent.agentId, caseId: agent.caseId, newEmail, proofs },
      select: { id: true },
    });
    await writeAudit(tx, agent.actor, {
      action: 'support.recovery.start',
      objectId: customer.id,
      customerId: customer.id,
      details: { recoveryId: recovery.id, caseId: agent.caseId, proofs },
    });
    return { ok: true, id: recovery.id };
  });
}

type LiveRecovery = {
  id: string;
  status: string;
  proofs: string[];
  created_at: Date;
  session_proved_at: Date | null;
  phone_proved_at: Date | null;
  phone_code_hash: string | null;
  phone_code_expires_at: Date | null;
  failed_attempts: number;
  new_email: string;
};

/** The agent's recovery of this case's customer, still proving, locked for this transaction. */
async function lockProving(tx: Tx, agent: RecoveryAgent, recoveryId: string): Promise<LiveRecovery | null> {
  const rows = await tx.$queryRaw<LiveRecovery[]>`
    SELECT id, status, proofs, created_at, session_proved_at, phone_proved_at, phone_code_hash,
           phone_code_expires_at, failed_attempts, new_email
      FROM support_recoveries
     WHERE id = ${recoveryId}::uuid AND customer_id = ${agent.customerId}::uuid AND status = 'proving'
     FOR UPDATE`;
  return rows[0] ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SendPhoneCodeResult = { ok: true } | { ok: false; reason: 'not-found' | 'too-soon' };

/** Texts a fresh 6-digit code to the phone on file (a new one replaces the last). */
export async function sendPhoneCode(agent: RecoveryAgent, recoveryId: string): Promise<SendPhoneCodeResult> {
  if (!UUID.test(recoveryId)) return { ok: false, reason: 'not-found' };
  const code = randomCode();
  const outcome = await withCustomerLock(agent.customerId, async (tx): Promise<SendPhoneCodeResult | Sms | null> => {
    const recovery = await lockProving(tx, agent, recoveryId);
    if (!recovery || !recovery.proofs.includes('phone-code') || recovery.phone_proved_at)
      return { ok: false, reason: 'not-found' };
    const lastSentAt = recovery.phone_code_expires_at
      ? recovery.phone_code_expires_at.getTime() - PHONE_CODE_TTL_MS
      : 0;
    if (Date.now() - lastSentAt < PHONE_CODE_INTERVAL_MS) return { ok: false, reason: 'too-soon' };
    const customer = await tx.user.findUniqueOrThrow({
      where: { id: agent.customerId },
      select: { locale: true, phone: { select: { e164: true } } },
    });
    if (!customer.phone) return { ok: false, reason: 'not-found' };
    await tx.supportRecovery.update({
      where: { id: recovery.id },
      data: {
        phoneCodeHash: hmac('support-recovery-phone', code),
        phoneCodeExpires: new Date(Date.now() + PHONE_CODE_TTL_MS),
      },
    });
    await writeAudit(tx, agent.actor, {
      action: 'support.recovery.proof',
      objectId: agent.customerId,
      customerId: agent.customerId,
      details: { recoveryId: recovery.id, proof: 'phone-code', step: 'sent' },
    });
    return recordSms(tx, await recoveryCodeSms({ to: customer.phone.e164, locale: localeOf(customer.locale), code }));
  });
  if (outcome && 'ok' in outcome) return outcome;
  await sendQueuedSms([outcome]);
  return { ok: true };
}

export type ProveResult =
  | { ok: true; held: boolean }
  | { ok: false; reason: 'wrong-code'; attemptsLeft: number }
  | { ok: false; reason: 'not-found' | 'failed' };

/**
 * The caller reads a code to the agent: the support code of one of their portal sessions (open,
 * and opened before the recovery started: a device the account knew before), or the code texted
 * to the phone on file. Once every proof is in, the hold starts and the customer is told.
 */
export async function proveRecovery(
  agent: RecoveryAgent,
  recoveryId: string,
  proof: RecoveryProof,
  code: string,
): Promise<ProveResult> {
  if (!UUID.test(recoveryId) || !/^\d{6}$/.test(code)) return { ok: false, reason: 'not-found' };
  const outcome = await withCustomerLock(agent.customerId, async (tx) => {
    const recovery = await lockProving(tx, agent, recoveryId);
    if (!recovery || !recovery.proofs.includes(proof)) return { result: { ok: false, reason: 'not-found' } as const };
    if (proof === 'session-code' ? recovery.session_proved_at : recovery.phone_proved_at)
      return { result: { ok: false, reason: 'not-found' } as const };

    const right =
      proof === 'session-code'
        ? await spendSessionCode(tx, agent.customerId, code, recovery.created_at)
        : recovery.phone_code_hash !== null &&
          recovery.phone_code_expires_at !== null &&
          recovery.phone_code_expires_at.getTime() > Date.now() &&
          hmacCandidates('support-recovery-phone', code).includes(recovery.phone_code_hash);

    if (!right) {
      const failed = recovery.failed_attempts + 1;
      const dead = failed >= MAX_FAILED_PROOFS;
      await tx.supportRecovery.update({
        where: { id: recovery.id },
        data: { failedAttempts: failed, ...(dead ? { status: 'failed', finishedAt: new Date() } : {}) },
      });
      return {
        result: dead
          ? ({ ok: false, reason: 'failed' } as const)
          : ({ ok: false, reason: 'wrong-code', attemptsLeft: MAX_FAILED_PROOFS - failed } as const),
      };
    }

    const now = new Date();
    const sessionDone = proof === 'session-code' ? now : recovery.session_proved_at;
    const phoneDone = proof === 'phone-code' ? now : recovery.phone_proved_at;
    const allDone = recovery.proofs.every((p) => (p === 'session-code' ? sessionDone : phoneDone) !== null);
    await tx.supportRecovery.update({
      where: { id: recovery.id },
      data: proof === 'session-code' ? { sessionProvedAt: now } : { phoneProvedAt: now, phoneCodeHash: null },
    });
    await writeAudit(tx, agent.actor, {
      action: 'support.recovery.proof',
      objectId: agent.customerId,
      customerId: agent.customerId,
      details: { recoveryId: recovery.id, proof, step: 'proved' },
    });
    if (!allDone) return { result: { ok: true, held: false } as const };
    const notices = await startHold(tx, recovery.id, agent.customerId, recovery.new_email);
    return { result: { ok: true, held: true } as const, notices };
  });
  if ('notices' in outcome && outcome.notices) {
    await deliverNow(outcome.notices.mailIds);
    await sendQueuedSms(outcome.notices.sms);
  }
  return outcome.result;
}

/**
 * Spends a support code (server/support/codes.ts) of this customer's session, if the session is
 * still open and began before the recovery did. A wrong code counts against the recovery, not
 * against the codes: the caller cannot burn a code they do not know.
 */
async function spendSessionCode(tx: Tx, customerId: string, code: string, startedAt: Date): Promise<boolean> {
  const used = await tx.$queryRaw<Array<{ id: string }>>`
    UPDATE support_codes c SET used_at = now()
      FROM sessions s
     WHERE c.customer_id = ${customerId}::uuid AND c.code_hash = ANY(${hmacCandidates('support-code', code)}::text[])
       AND c.used_at IS NULL AND c.expires_at > now() AND c.attempts < ${SUPPORT_CODE_MAX_ATTEMPTS}
       AND s.id = c.session_id AND s.user_id = c.customer_id AND s.expires > now() AND s.created_at < ${startedAt}
    RETURNING c.id`;
  return used.length > 0;
}

type Notices = { mailIds: Array<string | null>; sms: Array<Sms | null> };

/** Every address on file is told at once: the email by mail, the phone by SMS, each with the cancel link. */
async function startHold(tx: Tx, recoveryId: string, customerId: string, newEmail: string): Promise<Notices> {
  const token = randomToken();
  const holdUntil = new Date(Date.now() + getEnv().SUPPORT_RECOVERY_HOLD_HOURS * 3_600_000);
  await tx.supportRecovery.update({
    where: { id: recoveryId },
    data: { status: 'held', holdUntil, cancelTokenHash: sha256(token) },
  });
  const customer = await tx.user.findUniqueOrThrow({
    where: { id: customerId },
    select: { email: true, locale: true, phone: { select: { e164: true } } },
  });
  const locale = localeOf(customer.locale);
  const cancelLink = `${getEnv().APP_URL}/recovery/cancel?token=${token}`;
  const mail = await recoveryHeldMail({
    to: customer.email,
    locale,
    maskedNewEmail: maskEmail(newEmail),
    holdUntil,
    cancelLink,
  });
  const mailId = await enqueueMail(tx, {
    ...mail,
    key: `support-recovery-held:${recoveryId}`,
    purpose: 'support-recovery',
  });
  const sms = customer.phone
    ? await recordSms(tx, await recoveryHeldSms({ to: customer.phone.e164, locale, holdUntil, cancelLink }))
    : null;
  return { mailIds: [mailId], sms: [sms] };
}

export type CancelResult = { ok: true } | { ok: false; reason: 'not-found' };

async function cancelWhere(
  customerId: string,
  by: 'customer-session' | 'notice-link' | 'agent',
  extra: (tx: Tx) => Promise<void> = async () => {},
  tokenHash?: string,
): Promise<CancelResult> {
  return withCustomerLock(customerId, async (tx) => {
    const cancelled = await tx.supportRecovery.updateMany({
      where: { customerId, status: { in: LIVE }, ...(tokenHash ? { cancelTokenHash: tokenHash } : {}) },
      data: { status: 'cancelled', cancelledAt: new Date(), cancelledBy: by, finishedAt: new Date() },
    });
    if (cancelled.count === 0) return { ok: false, reason: 'not-found' } as const;
    await extra(tx);
    return { ok: true } as const;
  });
}

/** From any session of the customer (the banner on /account). */
export async function cancelRecoveryForCustomer(customerId: string): Promise<CancelResult> {
  return cancelWhere(customerId, 'customer-session');
}

/** From the link in the notice (mail or SMS): whoever holds it may stop the change. */
export async function cancelRecoveryByToken(token: string): Promise<CancelResult> {
  if (!TOKEN.test(token)) return { ok: false, reason: 'not-found' };
  const tokenHash = sha256(token);
  const row = await prisma.supportRecovery.findUnique({
    where: { cancelTokenHash: tokenHash },
    select: { customerId: true },
  });
  if (!row) return { ok: false, reason: 'not-found' };
  return cancelWhere(row.customerId, 'notice-link', undefined, tokenHash);
}

/** Read-only, for the link's page (scanners open links): is there still something to cancel? */
export async function peekRecoveryCancel(token: string): Promise<{ holdUntil: Date | null } | null> {
  if (!TOKEN.test(token)) return null;
  return prisma.supportRecovery.findFirst({
    where: { cancelTokenHash: sha256(token), status: { in: LIVE } },
    select: { holdUntil: true },
  });
}

/** The agent stops it (the caller changed their mind, or the agent doubts the call). */
export async function cancelRecoveryByAgent(agent: RecoveryAgent): Promise<CancelResult> {
  return cancelWhere(agent.customerId, 'agent', (tx) =>
    writeAudit(tx, agent.actor, {
      action: 'support.recovery.cancel',
      objectId: agent.customerId,
      customerId: agent.customerId,
      details: { caseId: agent.caseId },
    }),
  );
}

/**
 * The worker's step: each recovery whose hold has passed is applied in its own transaction,
 * under the customer's lock: the sign-in address changes (history row, event, as an email change
 * writes them), every session ends, pending email changes and open revert links are closed (the
 * old address must not take the account back), and both addresses and the phone are told.
 * The new address proves itself at its first sign-in, as any address does. Returns how many applied.
 */
export async function applyDueRecoveries(now = new Date()): Promise<number> {
  const due = await prisma.supportRecovery.findMany({
    where: { status: 'held', holdUntil: { lte: now } },
    select: { id: true, customerId: true },
    take: 100,
  });
  let applied = 0;
  for (const { id, customerId } of due) {
    let notices: Notices | null;
    try {
      notices = await withCustomerLock(customerId, (tx, customer) => applyOne(tx, id, customer, now));
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      // The new address was registered by someone else during the hold.
      await prisma.supportRecovery.updateMany({
        where: { id, status: 'held' },
        data: { status: 'failed', finishedAt: new Date() },
      });
      continue;
    }
    if (!notices) continue;
    applied += 1;
    await deliverNow(notices.mailIds);
    await sendQueuedSms(notices.sms);
  }
  return applied;
}

async function applyOne(
  tx: Tx,
  id: string,
  customer: { id: string; email: string } | null,
  now: Date,
): Promise<Notices | null> {
  if (!customer) return null;
  const taken = await tx.$queryRaw<Array<{ new_email: string }>>`
    UPDATE support_recoveries SET status = 'applied', finished_at = now()
     WHERE id = ${id}::uuid AND customer_id = ${customer.id}::uuid AND status = 'held' AND hold_until <= ${now}
    RETURNING new_email`;
  const newEmail = taken[0]?.new_email;
  if (!newEmail) return null;
  const updated = await tx.user.update({
    where: { id: customer.id },
    data: { email: newEmail, emailVerified: null, version: { increment: 1 } },
    select: { version: true, locale: true, phone: { select: { e164: true } } },
  });
  await recordProfileChange(tx, {
    customerId: customer.id,
    version: updated.version,
    attribute: 'email',
    oldValue: customer.email,
    newValue: newEmail,
    channel: 'support-recovery',
    verified: false,
  });
  await tx.emailChangeRequest.updateMany({
    where: { customerId: customer.id, verifiedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await tx.emailChangeRequest.updateMany({
    where: { customerId: customer.id, ...openRevertWhere() },
    data: { revertClosedAt: new Date() },
  });
  await tx.session.deleteMany({ where: { userId: customer.id } });
  await endProviderSessions(tx, customer.id, 'all-sessions');
  await writeSecurityEvent(tx, customer.id, 'sessions.revoked_all', {}, { notify: false });
  await writeEvent(tx, 'customer.email_changed', customer.id, {
    fields: ['email'],
    channel: 'support-recovery',
    version: updated.version,
  });
  const locale = localeOf(updated.locale);
  const mailIds: Array<string | null> = [];
  for (const to of [customer.email, newEmail]) {
    const mail = await recoveryAppliedMail({ to, locale, newEmail });
    mailIds.push(
      await enqueueMail(tx, {
        ...mail,
        key: `support-recovery-applied:${id}:${sha256(to)}`,
        purpose: 'support-recovery',
      }),
    );
  }
  const sms = updated.phone ? await recordSms(tx, await recoveryAppliedSms({ to: updated.phone.e164, locale })) : null;
  return { mailIds, sms: [sms] };
}

/** Applies due recoveries every HOUSEKEEPING_INTERVAL_MINUTES in the worker; the returned function stops it. */
export function startRecoveryWorker(options: { firstRunDelayMs?: number } = {}): () => Promise<void> {
  const log = getLogger().child({ component: 'support-recovery' });
  const intervalMs = Math.min(getEnv().HOUSEKEEPING_INTERVAL_MINUTES, 15) * 60_000;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () => {
    running = applyDueRecoveries()
      .then((count) => {
        if (count > 0) log.info({ applied: count }, 'recoveries applied');
      })
      .catch((error: unknown) =>
        log.error(`recovery run failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs).unref();
      });
  };
  timer = setTimeout(run, options.firstRunDelayMs ?? 60_000).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
