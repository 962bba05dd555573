import 'server-only';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { Prisma } from '@/server/generated/prisma/client';
import { writeSecurityEvent } from '@/server/identity/security-events';
import { deliverNow, mailQueuedCondition } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { hmac, hmacCandidates, randomCode, randomToken, sha256 } from '@/server/platform/crypto';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool, prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { writeEvent } from '@/server/platform/outbox';
import { consume } from '@/server/platform/rate-limit';

import { emailChangedNoticeMail, emailChangeVerificationMail, emailRevertedNoticeMail } from './email-change-mail';
import { recordProfileChange } from './profile';
import { getOpenEmailRevert, openRevertWhere } from './revert-window';

// docs/decisions/014-email-change.md: the new address proves itself with a
// link or a code, as sign-in does (docs/decisions/004); the old address stays
// the sign-in until then, and afterwards gets a revert link valid 7 days, which
// evicts whoever made the change (docs/decisions/022-recovery-evicts-the-attacker.md).

export const EMAIL_CHANGE_TTL_MS = 15 * 60 * 1000;
export const REVERT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_CODE_ATTEMPTS = 5;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type RequestEmailChangeResult =
  | { ok: true }
  | { ok: false; reason: 'same-address' | 'not-found' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/**
 * Mails a link and a code to the new address. Whether the address belongs to
 * another account is not said here (that would tell anyone signed in who has
 * an account): it is checked once the new address is proven.
 */
export async function requestEmailChange(
  customerId: string,
  newEmail: string,
  opts: {
    ip: string;
    locale: Locale;
    channel: string;
    /** Runs in the request's transaction: the console's audit row commits with it. */
    onWrite?: (tx: Tx) => Promise<void>;
  },
): Promise<RequestEmailChangeResult> {
  const customer = await prisma.user.findUnique({ where: { id: customerId }, select: { email: true } });
  if (!customer) return { ok: false, reason: 'not-found' };
  if (customer.email === newEmail) return { ok: false, reason: 'same-address' };
  const limit = await consume([
    ['sendPerEmail', newEmail],
    ['sendPerIp', opts.ip],
  ]);
  if (!limit.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };

  const token = randomToken();
  const code = randomCode();
  const mailId = await prisma.$transaction(async (tx) => {
    // One pending change at a time: a new request retires the older ones.
    await tx.emailChangeRequest.updateMany({
      where: { customerId, verifiedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const expiresAt = new Date(Date.now() + EMAIL_CHANGE_TTL_MS);
    const request = await tx.emailChangeRequest.create({
      data: {
        customerId,
        oldEmail: customer.email,
        newEmail,
        linkTokenHash: sha256(token),
        codeHash: hmac('email-change-code', code),
        expiresAt,
        channel: opts.channel,
        locale: opts.locale,
      },
      select: { id: true },
    });
    const mail = await emailChangeVerificationMail({
      to: newEmail,
      locale: opts.locale,
      link: `${getEnv().APP_URL}/email-change/confirm?token=${token}`,
      code,
    });
    await opts.onWrite?.(tx);
    return enqueueMail(tx, { ...mail, key: verificationMailKey(request.id), purpose: 'email-change', expiresAt });
  });
  // Queued or sent, the profile page says which (getPendingEmailChange).
  await deliverNow([mailId]);
  return { ok: true };
}

const VERIFICATION_MAIL_KEY_PREFIX = 'email-change:';
const verificationMailKey = (requestId: string) => `${VERIFICATION_MAIL_KEY_PREFIX}${requestId}`;

/**
 * The change waiting for its code, as the profile page shows it: a column of
 * a statement `FROM customers c`, JSON or null.
 */
export const PENDING_EMAIL_CHANGE_COLUMN = `
  (SELECT json_build_object('newEmail', r.new_email, 'expiresAt', r.expires_at AT TIME ZONE 'UTC',
                            'mailQueued', ${mailQueuedCondition(`'${VERIFICATION_MAIL_KEY_PREFIX}' || r.id::text`)})
     FROM email_change_requests r
    WHERE r.customer_id = c.id AND r.verified_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > now()
    ORDER BY r.created_at DESC LIMIT 1)`;

export type PendingEmailChange = { newEmail: string; expiresAt: Date; mailQueued: boolean };

export const toPendingEmailChange = (
  json: { newEmail: string; expiresAt: string; mailQueued: boolean } | null,
): PendingEmailChange | null => (json ? { ...json, expiresAt: new Date(json.expiresAt) } : null);

/** The change waiting for its code, as the profile page shows it. */
export async function getPendingEmailChange(customerId: string): Promise<PendingEmailChange | null> {
  const { rows } = await getPool().query<{ pending: Parameters<typeof toPendingEmailChange>[0] }>(
    `SELECT ${PENDING_EMAIL_CHANGE_COLUMN} AS pending FROM customers c WHERE c.id = $1`,
    [customerId],
  );
  return toPendingEmailChange(rows[0]?.pending ?? null);
}

export async function cancelEmailChange(customerId: string): Promise<void> {
  await prisma.emailChangeRequest.updateMany({
    where: { customerId, verifiedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

export type ConfirmEmailChangeResult =
  | { ok: true; newEmail: string }
  | { ok: false; reason: 'wrong-code'; attemptsLeft: number }
  | { ok: false; reason: 'expired' | 'code-dead' | 'address-taken' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/** The code typed on the profile page, for the customer's pending change. */
export async function confirmEmailChangeCode(
  customerId: string,
  code: string,
  ip: string,
): Promise<ConfirmEmailChangeResult> {
  const pending = await prisma.emailChangeRequest.findFirst({
    where: { customerId, verifiedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, newEmail: true },
  });
  if (!pending) return { ok: false, reason: 'expired' };
  const limit = await consume([
    ['verifyPerEmail', pending.newEmail],
    ['verifyPerIp', ip],
  ]);
  if (!limit.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };

  const applied = await applyVerified(
    customerId,
    (tx) => tx.$queryRaw<Array<{ id: string }>>`
      UPDATE email_change_requests SET verified_at = now()
      WHERE id = ${pending.id}::uuid AND code_hash = ANY(${hmacCandidates('email-change-code', code)}::text[])
        AND verified_at IS NULL AND revoked_at IS NULL AND expires_at > now() AND failed_attempts < ${MAX_CODE_ATTEMPTS}
      RETURNING id`,
  );
  if (applied) return applied;

  const failed = await prisma.$queryRaw<Array<{ failed_attempts: number }>>`
    UPDATE email_change_requests SET failed_attempts = failed_attempts + 1,
      revoked_at = CASE WHEN failed_attempts + 1 >= ${MAX_CODE_ATTEMPTS} THEN now() ELSE revoked_at END
    WHERE id = ${pending.id}::uuid AND verified_at IS NULL AND revoked_at IS NULL AND expires_at > now()
    RETURNING failed_attempts`;
  if (!failed[0]) return { ok: false, reason: 'expired' };
  const attemptsLeft = MAX_CODE_ATTEMPTS - failed[0].failed_attempts;
  return attemptsLeft > 0 ? { ok: false, reason: 'wrong-code', attemptsLeft } : { ok: false, reason: 'code-dead' };
}

/** Read-only, for the link's confirmation page: uses nothing (scanners open links). */
export async function peekEmailChangeLink(token: string): Promise<{ newEmail: string } | null> {
  if (!TOKEN.test(token)) return null;
  return prisma.emailChangeRequest.findFirst({
    where: { linkTokenHash: sha256(token), verifiedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { newEmail: true },
  });
}

/** The confirmation page's button: the link proves the new address. */
export async function confirmEmailChangeLink(token: string): Promise<ConfirmEmailChangeResult> {
  if (!TOKEN.test(token)) return { ok: false, reason: 'expired' };
  const request = await prisma.emailChangeRequest.findUnique({
    where: { linkTokenHash: sha256(token) },
    select: { customerId: true },
  });
  if (!request) return { ok: false, reason: 'expired' };
  const applied = await applyVerified(
    request.customerId,
    (tx) => tx.$queryRaw<Array<{ id: string }>>`
      UPDATE email_change_requests SET verified_at = now()
      WHERE link_token_hash = ${sha256(token)} AND verified_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING id`,
  );
  return applied ?? { ok: false, reason: 'expired' };
}

/**
 * The new address is proven: it becomes the sign-in, with its history row and
 * its event, in the transaction that used the link or code. The old address
 * then gets a notice with a revert link. A failure (the address was taken
 * meanwhile) rolls everything back, the request included.
 */
async function applyVerified(
  customerId: string,
  spendProof: (tx: Tx) => Promise<Array<{ id: string }>>,
): Promise<ConfirmEmailChangeResult | null> {
  const revertToken = randomToken();
  let outcome: { newEmail: string; mailId: string | null } | null;
  try {
    // The customer's row before the request's, in the order a revert takes them:
    // a change and a revert at the same moment wait for each other, never deadlock.
    outcome = await withCustomerLock(customerId, async (tx) => {
      const used = await spendProof(tx);
      if (!used[0]) return null;
      const request = await tx.emailChangeRequest.update({
        where: { id: used[0].id },
        data: { revertTokenHash: sha256(revertToken), revertExpiresAt: new Date(Date.now() + REVERT_TTL_MS) },
        select: { customerId: true, oldEmail: true, newEmail: true, channel: true, locale: true },
      });
      // A later change revokes the earlier revert links: only the address this
      // change replaced may undo it (and it restores that address, not an older one).
      await tx.emailChangeRequest.updateMany({
        where: { customerId: request.customerId, id: { not: used[0].id }, ...openRevertWhere() },
        data: { revertClosedAt: new Date() },
      });
      const customer = await tx.user.update({
        where: { id: request.customerId },
        data: { email: request.newEmail, emailVerified: new Date(), version: { increment: 1 } },
        select: { version: true, locale: true },
      });
      await recordProfileChange(tx, {
        customerId: request.customerId,
        version: customer.version,
        attribute: 'email',
        oldValue: request.oldEmail,
        newValue: request.newEmail,
        channel: request.channel,
        verified: true,
      });
      await writeEvent(tx, 'customer.email_changed', request.customerId, {
        fields: ['email'],
        channel: request.channel,
        version: customer.version,
      });
      const notice = await emailChangedNoticeMail({
        to: request.oldEmail,
        locale: isLocale(customer.locale) ? customer.locale : 'en',
        newEmail: request.newEmail,
        revertLink: `${getEnv().APP_URL}/email-change/revert?token=${revertToken}`,
      });
      const mailId = await enqueueMail(tx, { ...notice, key: `email-changed:${used[0].id}`, purpose: 'email-changed' });
      return { newEmail: request.newEmail, mailId };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      return { ok: false, reason: 'address-taken' };
    throw error;
  }
  if (!outcome) return null;
  // The change stands whether or not the notice goes now; the worker retries it.
  await deliverNow([outcome.mailId]);
  return { ok: true, newEmail: outcome.newEmail };
}

/** Read-only, for the revert page: the same conditions as the revert itself. */
export async function peekEmailRevert(token: string): Promise<{ oldEmail: string; newEmail: string } | null> {
  if (!TOKEN.test(token)) return null;
  const change = await prisma.emailChangeRequest.findFirst({
    where: { ...openRevertWhere(), revertTokenHash: sha256(token) },
    select: { oldEmail: true, newEmail: true, customer: { select: { email: true } } },
  });
  if (!change || change.customer.email !== change.newEmail) return null;
  return { oldEmail: change.oldEmail, newEmail: change.newEmail };
}

export type RevertResult = { ok: true; email: string } | { ok: false; reason: 'expired' | 'address-taken' };

/**
 * "This wasn't me", from the old address: the old address is the sign-in
 * again, every session ends, the passkeys and identities added since the change
 * was requested are removed (whoever changed it is evicted, not just signed
 * out), and pending changes are cancelled; one transaction with its history row
 * and events. Works once, for 7 days, and only while the account still signs in
 * with the address this change set (server/customers/revert-window.ts). The
 * address that loses the account is told.
 */
export async function revertEmailChange(token: string): Promise<RevertResult> {
  if (!TOKEN.test(token)) return { ok: false, reason: 'expired' };
  const tokenHash = sha256(token);
  let reverted: { oldEmail: string; mailId: string | null };
  try {
    const owner = await prisma.emailChangeRequest.findUnique({
      where: { revertTokenHash: tokenHash },
      select: { customerId: true },
    });
    if (!owner) return { ok: false, reason: 'expired' };
    // The customer's row first: a change being verified at this moment either
    // commits before (and this revert finds the email moved on) or waits.
    const outcome = await withCustomerLock(owner.customerId, async (tx, customer) => {
      if (!customer) return null;
      const used = await tx.$queryRaw<Array<{ id: string; old_email: string; new_email: string; created_at: Date }>>`
        UPDATE email_change_requests SET reverted_at = now()
        WHERE revert_token_hash = ${tokenHash} AND new_email = ${customer.email}
          AND reverted_at IS NULL AND revert_closed_at IS NULL AND revert_expires_at > now()
        RETURNING id, old_email, new_email, created_at`;
      const request = used[0];
      if (!request) return null;
      const customerId = customer.id;
      const updated = await tx.user.update({
        where: { id: customerId },
        data: { email: request.old_email, emailVerified: new Date(), version: { increment: 1 } },
        select: { version: true, locale: true },
      });
      await recordProfileChange(tx, {
        customerId,
        version: updated.version,
        attribute: 'email',
        oldValue: customer.email,
        newValue: request.old_email,
        channel: 'portal',
        verified: true,
      });
      await tx.emailChangeRequest.updateMany({
        where: { customerId, verifiedAt: null, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      // Since the request, not the verification: the 15 minutes in between count too.
      const since = { gte: request.created_at };
      const passkeys = await tx.passkey.deleteMany({ where: { customerId, createdAt: since } });
      const identities = await tx.account.deleteMany({ where: { userId: customerId, createdAt: since } });
      await tx.session.deleteMany({ where: { userId: customerId } });
      await writeSecurityEvent(
        tx,
        customerId,
        'email.reverted',
        { passkeysRemoved: String(passkeys.count), identitiesRemoved: String(identities.count) },
        { notify: false },
      );
      await writeEvent(tx, 'customer.email_changed', customerId, {
        fields: ['email'],
        channel: 'portal',
        version: updated.version,
        reverted: true,
      });
      const notice = await emailRevertedNoticeMail({
        to: request.new_email,
        locale: isLocale(updated.locale) ? updated.locale : 'en',
        oldEmail: request.old_email,
      });
      const mailId = await enqueueMail(tx, {
        ...notice,
        key: `email-reverted:${request.id}`,
        purpose: 'email-reverted',
      });
      return { oldEmail: request.old_email, mailId };
    });
    if (!outcome) return { ok: false, reason: 'expired' };
    reverted = outcome;
  } catch (error) {
    // The old address was registered by someone else after it was freed.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      return { ok: false, reason: 'address-taken' };
    throw error;
  }
  // The revert stands whether or not the notice goes now; the worker retries it.
  await deliverNow([reverted.mailId]);
  return { ok: true, email: reverted.oldEmail };
}

/**
 * The customer closes the revert window early (after step-up, in the action):
 * the old address can no longer take the account back, nor gets its notices.
 * Returns whether a window was open.
 */
export async function closeEmailRevert(customerId: string): Promise<boolean> {
  return withCustomerLock(customerId, async (tx) => {
    const open = await getOpenEmailRevert(customerId, tx);
    if (!open) return false;
    const closed = await tx.emailChangeRequest.updateMany({
      where: { customerId, ...openRevertWhere() },
      data: { revertClosedAt: new Date() },
    });
    if (closed.count === 0) return false;
    await writeSecurityEvent(tx, customerId, 'email.revert_closed', { email: open.oldEmail }, { notify: false });
    return true;
  });
}
