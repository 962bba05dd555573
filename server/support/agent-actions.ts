import 'server-only';

import { randomUUID } from 'node:crypto';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import type { AddressKind } from '@/lib/validation/address';
import type { SupportAction, SupportFixAddressInput } from '@/lib/validation/support-actions';
import { setConsent } from '@/server/consent/consent';
import { requestEmailChange } from '@/server/customers/email-change';
import { updateProfile } from '@/server/customers/profile';
import { writeSecurityEvent } from '@/server/identity/security-events';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { endProviderSessions } from '@/server/oidc/grants';
import { writeAudit } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';

import { supportConsentMail } from './agent-actions-mail';
import { requireOpenCase, type SupportCase } from './cases';
import { agentNameForCustomer } from './customer-view';

// What an agent does for a caller in an open case of their own (issue 16 item 4,
// docs/decisions/036-support-console.md). Each goes through the code the portal
// uses, with the agent as the channel, and writes its audit row in the write's
// own transaction. No impersonation: the agent never acts as the customer's session.

export type AgentActionResult<T = object> =
  | ({ ok: true } & T)
  | { ok: false; reason: 'forbidden' }
  | { ok: false; reason: 'none-pending' | 'same-address' | 'unknown-purpose' | 'required' | 'not-found' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/** The channel profile history and events name: "support:<the agent as the customer sees them>". */
export function supportChannel(actor: Pick<StaffActor, 'id' | 'displayName'>): string {
  return `support:${agentNameForCustomer(actor)}`;
}

/** The case this action belongs to, or null (then 403, nothing written). */
async function openCase(actor: StaffActor, caseId: string): Promise<SupportCase | null> {
  if (!isUuid(caseId)) return null;
  const found = await requireOpenCase(actor, caseId);
  return found.ok ? found.supportCase : null;
}

function audit(tx: Tx, actor: StaffActor, supportCase: SupportCase, action: SupportAction, details = {}) {
  return writeAudit(tx, actor.audit, {
    action: `support.action.${action}`,
    customerId: supportCase.customerId,
    objectId: supportCase.customerId,
    reason: `case ${supportCase.id.slice(0, 8)}`,
    details: { caseId: supportCase.id, ...details },
  });
}

async function customerLocale(customerId: string): Promise<Locale | null> {
  const row = await prisma.user.findUnique({ where: { id: customerId }, select: { locale: true } });
  if (!row) return null;
  return isLocale(row.locale) ? row.locale : 'en';
}

/**
 * Sends the pending email change's confirmation again, to the new address the
 * customer gave: a fresh link and code (only their hashes are kept), the older ones retired.
 */
export async function resendEmailChange(actor: StaffActor, caseId: string, ip: string): Promise<AgentActionResult> {
  const supportCase = await openCase(actor, caseId);
  if (!supportCase) return { ok: false, reason: 'forbidden' };
  const pending = await prisma.emailChangeRequest.findFirst({
    where: {
      customerId: supportCase.customerId,
      verifiedAt: null,
      revokedAt: null,
      expiresAt: { gt: new Date() },
    },
    orderBy: { createdAt: 'desc' },
    select: { newEmail: true, locale: true, channel: true },
  });
  if (!pending) return { ok: false, reason: 'none-pending' };
  const result = await requestEmailChange(supportCase.customerId, pending.newEmail, {
    ip,
    locale: isLocale(pending.locale) ? pending.locale : 'en',
    // The change stays the customer's (or whoever started it): the resend is in the audit trail.
    channel: pending.channel,
    onWrite: (tx) => audit(tx, actor, supportCase, 'resend-email-change'),
  });
  return result.ok || result.reason !== 'same-address' ? result : { ok: false, reason: 'none-pending' };
}

/** Ends every session of the customer, everywhere: the portal's "sign out everywhere", asked for on the phone. */
export async function endAllSessions(actor: StaffActor, caseId: string): Promise<AgentActionResult<{ ended: number }>> {
  const supportCase = await openCase(actor, caseId);
  if (!supportCase) return { ok: false, reason: 'forbidden' };
  const ended = await prisma.$transaction(async (tx) => {
    const { count } = await tx.session.deleteMany({ where: { userId: supportCase.customerId } });
    // Everywhere includes the brand's apps signed in through Accord (back-channel logout).
    await endProviderSessions(tx, supportCase.customerId, 'all-sessions');
    // 'sessions.revoked_all' mails nobody in the existing code: the customer asked for it on this call.
    await writeSecurityEvent(
      tx,
      supportCase.customerId,
      'sessions.revoked_all',
      { source: 'support' },
      { notify: false },
    );
    await audit(tx, actor, supportCase, 'end-sessions', { sessions: count });
    return count;
  });
  return { ok: true, ended };
}

/** Writes one postal address through the profile's one write path, with the agent as its provenance. */
export async function fixAddress(
  actor: StaffActor,
  caseId: string,
  input: Pick<SupportFixAddressInput, 'kind' | 'address'>,
): Promise<
  AgentActionResult<{ changed: boolean }> | { ok: false; reason: 'invalid'; fieldErrors: Record<string, string> }
> {
  const supportCase = await openCase(actor, caseId);
  if (!supportCase) return { ok: false, reason: 'forbidden' };
  const kind: AddressKind = input.kind;
  const result = await updateProfile(
    supportCase.customerId,
    { addresses: { [kind]: input.address } },
    {
      channel: supportChannel(actor),
      // The customer dictates the whole address: it replaces whatever is there.
      expectedVersion: null,
      onWrite: (tx) => audit(tx, actor, supportCase, 'fix-address', { kind }),
    },
  );
  if (result.ok) return { ok: true, changed: result.changed.length > 0 };
  if (result.reason === 'invalid') return result;
  return { ok: false, reason: 'not-found' };
}

/** Starts an email change: the customer confirms it from the new address, as from the portal. */
export async function startEmailChange(
  actor: StaffActor,
  caseId: string,
  newEmail: string,
  ip: string,
): Promise<AgentActionResult> {
  const supportCase = await openCase(actor, caseId);
  if (!supportCase) return { ok: false, reason: 'forbidden' };
  const locale = await customerLocale(supportCase.customerId);
  if (!locale) return { ok: false, reason: 'not-found' };
  return requestEmailChange(supportCase.customerId, newEmail, {
    ip,
    locale,
    channel: supportChannel(actor),
    onWrite: (tx) => audit(tx, actor, supportCase, 'start-email-change'),
  });
}

/**
 * Records the consent the customer gives or withdraws on the phone, for the
 * purpose's current text: a receipt whose method says "support call", and a mail
 * to the customer in the same transaction.
 */
export async function recordConsentChange(
  actor: StaffActor,
  caseId: string,
  input: { purposeKey: string; granted: boolean },
): Promise<AgentActionResult<{ changed: boolean }>> {
  const supportCase = await openCase(actor, caseId);
  if (!supportCase) return { ok: false, reason: 'forbidden' };
  const purpose = await prisma.consentPurpose.findUnique({
    where: { key: input.purposeKey },
    select: { currentVersion: true, versions: { select: { version: true, titleEn: true, titleFr: true } } },
  });
  const text = purpose?.versions.find((v) => v.version === purpose.currentVersion);
  const customer = await prisma.user.findUnique({
    where: { id: supportCase.customerId },
    select: { locale: true },
  });
  if (!purpose || !text) return { ok: false, reason: 'unknown-purpose' };
  if (!customer) return { ok: false, reason: 'not-found' };
  const locale: Locale = isLocale(customer.locale) ? customer.locale : 'en';
  const mail = await supportConsentMail({
    locale,
    purpose: locale === 'fr' ? text.titleFr : text.titleEn,
    granted: input.granted,
    agentName: agentNameForCustomer(actor),
    at: new Date(),
  });
  let mailId: string | null = null;
  const result = await setConsent(
    supportCase.customerId,
    { purposeKey: input.purposeKey, version: purpose.currentVersion, granted: input.granted },
    {
      channel: 'support',
      collectionMethod: 'support-call',
      onWrite: async (tx) => {
        await audit(tx, actor, supportCase, 'record-consent', {
          purpose: input.purposeKey,
          granted: input.granted,
        });
        // The address read under the customer's lock: the one the receipt belongs to.
        const current = await tx.user.findUniqueOrThrow({
          where: { id: supportCase.customerId },
          select: { email: true },
        });
        mailId = await enqueueMail(tx, {
          ...mail,
          to: current.email,
          key: `support-consent:${randomUUID()}`,
          purpose: 'support-consent',
        });
      },
    },
  );
  if (!result.ok) return { ok: false, reason: result.reason === 'version-changed' ? 'unknown-purpose' : result.reason };
  if (result.changed) await deliverNow([mailId]);
  return { ok: true, changed: result.changed };
}

/** The purposes an agent may record an answer for (the required ones cannot be withdrawn), titled for the console. */
export async function listPurposeTitles(locale: Locale): Promise<Array<{ value: string; label: string }>> {
  const purposes = await prisma.consentPurpose.findMany({
    where: { required: false },
    orderBy: [{ sortOrder: 'asc' }, { key: 'asc' }],
    select: { key: true, currentVersion: true, versions: { select: { version: true, titleEn: true, titleFr: true } } },
  });
  return purposes.flatMap((p) => {
    const text = p.versions.find((v) => v.version === p.currentVersion);
    return text ? [{ value: p.key, label: locale === 'fr' ? text.titleFr : text.titleEn }] : [];
  });
}
