import 'server-only';

import { isLocale } from '@/lib/i18n/config';
import { sendSecurityNotice } from '@/server/mail/send';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

export type SecurityEventType =
  | 'passkey.added'
  | 'passkey.deleted'
  | 'passkey.cloned'
  | 'sign_in.new_device'
  | 'identity.linked'
  | 'identity.unlinked'
  | 'sessions.revoked_all';

// Events the customer is mailed about, each with a "this wasn't me" link.
const NOTIFIED: ReadonlySet<SecurityEventType> = new Set([
  'passkey.added',
  'passkey.cloned',
  'sign_in.new_device',
  'identity.linked',
]);

/** Records what happened and, for the events that matter, mails the customer a notice. */
export async function recordSecurityEvent(
  customerId: string,
  type: SecurityEventType,
  detail: Record<string, string>,
  opts: { notify: boolean },
): Promise<void> {
  const notify = opts.notify && NOTIFIED.has(type);
  const token = notify ? randomToken() : null;
  const event = await prisma.securityEvent.create({
    data: { customerId, type, detail, notMeTokenHash: token ? sha256(token) : null },
    select: { customer: { select: { email: true, locale: true } } },
  });
  if (!token) return;
  try {
    await sendSecurityNotice({
      to: event.customer.email,
      locale: isLocale(event.customer.locale) ? event.customer.locale : 'en',
      type: type as 'passkey.added' | 'passkey.cloned' | 'sign_in.new_device' | 'identity.linked',
      detail,
      notMeLink: `${getEnv().APP_URL}/security/not-me?token=${token}`,
    });
  } catch (error) {
    // The event is recorded and shown on /account/security even if the mail fails.
    console.error('[security] notice not sent:', error instanceof Error ? error.message : error);
  }
}

export async function listSecurityEvents(customerId: string, take = 10) {
  return prisma.securityEvent.findMany({
    where: { customerId },
    orderBy: { createdAt: 'desc' },
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
 * "This wasn't me": ends every session of the customer, everywhere, at once.
 * The link works once and for 30 days.
 */
export async function confirmNotMe(token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
  const used = await prisma.$queryRaw<Array<{ customer_id: string; type: string; detail: Record<string, string> }>>`
    UPDATE security_events SET not_me_used_at = now()
    WHERE not_me_token_hash = ${sha256(token)} AND not_me_used_at IS NULL AND created_at > now() - interval '30 days'
    RETURNING customer_id, type, detail`;
  const event = used[0];
  if (!event) return false;
  const customerId = event.customer_id;
  await prisma.session.deleteMany({ where: { userId: customerId } });
  // An identity linked by someone else would let them straight back in: unlink it too.
  if (event.type === 'identity.linked' && event.detail?.providerId) {
    await prisma.account.deleteMany({ where: { userId: customerId, provider: event.detail.providerId } });
  }
  await recordSecurityEvent(customerId, 'sessions.revoked_all', { source: 'not-me-link' }, { notify: false });
  return true;
}
