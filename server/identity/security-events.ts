import 'server-only';

import { isLocale } from '@/lib/i18n/config';
import { getOpenEmailRevert } from '@/server/customers/revert-window';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail, securityNoticeMail, type SecurityNoticeType } from '@/server/mail/send';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

export type SecurityEventType =
  | 'passkey.added'
  | 'passkey.deleted'
  | 'passkey.cloned'
  | 'sign_in.new_device'
  | 'identity.linked'
  | 'identity.unlinked'
  | 'sessions.revoked_all'
  | 'email.reverted'
  | 'email.revert_closed';

// Events the customer is mailed about, each with a "this wasn't me" link.
const NOTIFIED: ReadonlySet<SecurityEventType> = new Set<SecurityNoticeType>([
  'passkey.added',
  'passkey.cloned',
  'sign_in.new_device',
  'identity.linked',
]);

/** The notice mails queued with an event, to try once the transaction has committed. */
export type PendingNotice = { mailIds: Array<string | null> };

/**
 * Records what happened inside the caller's transaction (the change, its event
 * and its notice mails commit together) and returns the notice to deliver
 * after the commit, if any. While an email change can still be undone, the old
 * address is told too: it is the one an attacker who changed the email does not hold.
 */
export async function writeSecurityEvent(
  tx: Tx,
  customerId: string,
  type: SecurityEventType,
  detail: Record<string, string>,
  opts: { notify: boolean },
): Promise<PendingNotice | null> {
  const notify = opts.notify && NOTIFIED.has(type);
  const token = notify ? randomToken() : null;
  const event = await tx.securityEvent.create({
    data: { customerId, type, detail, notMeTokenHash: token ? sha256(token) : null },
    select: { id: true, customer: { select: { email: true, locale: true } } },
  });
  if (!token) return null;
  const revert = await getOpenEmailRevert(customerId, tx);
  const addresses = revert ? [event.customer.email, revert.oldEmail] : [event.customer.email];
  const locale = isLocale(event.customer.locale) ? event.customer.locale : 'en';
  const notMeLink = `${getEnv().APP_URL}/security/not-me?token=${token}`;
  const mailIds: Array<string | null> = [];
  // One mail per address (neither learns the other from the headers).
  for (const [index, to] of addresses.entries()) {
    const mail = await securityNoticeMail({ to, locale, type: type as SecurityNoticeType, detail, notMeLink });
    mailIds.push(await enqueueMail(tx, { ...mail, key: `security:${event.id}:${index}`, purpose: 'security-notice' }));
  }
  return { mailIds };
}

/** The inline try of a notice's mails; the worker retries what SMTP refused. */
export async function sendPendingNotice(notice: PendingNotice | null): Promise<void> {
  if (notice) await deliverNow(notice.mailIds);
}

/** Records what happened and, for the events that matter, mails the customer a notice. */
export async function recordSecurityEvent(
  customerId: string,
  type: SecurityEventType,
  detail: Record<string, string>,
  opts: { notify: boolean },
): Promise<void> {
  await sendPendingNotice(await prisma.$transaction((tx) => writeSecurityEvent(tx, customerId, type, detail, opts)));
}

export async function listSecurityEvents(customerId: string, take = 10) {
  return prisma.securityEvent.findMany({
    where: { customerId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, type: true, detail: true, createdAt: true },
  });
}

/** Read-only: the confirmation page shows what the link is about, uses nothing. */
export async function peekNotMe(token: string): Promise<{ type: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return prisma.securityEvent.findFirst({
    where: {
      notMeTokenHash: sha256(token),
      notMeUsedAt: null,
      createdAt: { gt: new Date(Date.now() - 30 * 24 * 3600 * 1000) },
    },
    select: { type: true },
  });
}

/**
 * "This wasn't me": ends every session of the customer, everywhere, at once,
 * and removes what the notice was about (the passkey added, the identity
 * linked), which would otherwise let whoever added it straight back in. One
 * transaction with its events. The link works once and for 30 days.
 */
export async function confirmNotMe(token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
  return prisma.$transaction(async (tx) => {
    const used = await tx.$queryRaw<Array<{ customer_id: string; type: string; detail: Record<string, string> }>>`
      UPDATE security_events SET not_me_used_at = now()
      WHERE not_me_token_hash = ${sha256(token)} AND not_me_used_at IS NULL AND created_at > now() - interval '30 days'
      RETURNING customer_id, type, detail`;
    const event = used[0];
    if (!event) return false;
    const customerId = event.customer_id;
    const source = { source: 'not-me-link' };
    await tx.session.deleteMany({ where: { userId: customerId } });
    if (event.type === 'passkey.added' && event.detail?.passkeyId) {
      const removed = await tx.passkey.deleteMany({ where: { id: event.detail.passkeyId, customerId } });
      if (removed.count > 0)
        await writeSecurityEvent(
          tx,
          customerId,
          'passkey.deleted',
          { ...source, name: event.detail.name ?? '' },
          {
            notify: false,
          },
        );
    }
    if (event.type === 'identity.linked' && event.detail?.providerId) {
      const removed = await tx.account.deleteMany({ where: { userId: customerId, provider: event.detail.providerId } });
      if (removed.count > 0)
        await writeSecurityEvent(
          tx,
          customerId,
          'identity.unlinked',
          { ...source, provider: event.detail.provider ?? '' },
          {
            notify: false,
          },
        );
    }
    await writeSecurityEvent(tx, customerId, 'sessions.revoked_all', source, { notify: false });
    return true;
  });
}
