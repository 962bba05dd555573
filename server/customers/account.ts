import 'server-only';

import { randomUUID } from 'node:crypto';

import { defaultLocale, isLocale, type Locale } from '@/lib/i18n/config';
import { getCurrentTerms, recordConsent } from '@/server/consent/consent';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { endProviderSessions } from '@/server/oidc/grants';
import { writeAudit, type AuditActor, type AuditEntry } from '@/server/platform/audit';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { prisma } from '@/server/platform/db';
import { writeEvent } from '@/server/platform/outbox';

import { accountErasedMail } from './data-request-mail';
import { recordProfileChange, updateProfile } from './profile';

/**
 * The one onboarding step: first name and the terms. The name, the consent
 * receipt and both events commit together or not at all.
 */
export async function completeOnboarding(
  customerId: string,
  input: { firstName: string; acceptedTermsVersion: number },
): Promise<{ ok: true } | { ok: false; reason: 'terms-changed' | 'already-done' }> {
  const terms = await getCurrentTerms();
  if (terms.version !== input.acceptedTermsVersion) return { ok: false, reason: 'terms-changed' };
  return prisma.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: customerId }, select: { firstName: true } });
    const updated = await tx.user.updateMany({
      where: { id: customerId, onboardedAt: null },
      data: { firstName: input.firstName, onboardedAt: new Date(), version: { increment: 1 } },
    });
    if (updated.count === 0) return { ok: false, reason: 'already-done' } as const;
    const { version } = await tx.user.findUniqueOrThrow({ where: { id: customerId }, select: { version: true } });
    await recordProfileChange(tx, {
      customerId,
      version,
      attribute: 'firstName',
      oldValue: before?.firstName ?? null,
      newValue: input.firstName,
      channel: 'portal',
      verified: false,
    });
    await recordConsent(tx, {
      customerId,
      purpose: terms,
      granted: true,
      collectionMethod: 'signup-form',
      channel: 'portal',
    });
    await writeEvent(tx, 'customer.updated', customerId, { fields: ['firstName'], channel: 'portal' });
    await writeEvent(tx, 'consent.updated', customerId, {
      purpose: terms.key,
      version: terms.version,
      granted: true,
      channel: 'portal',
    });
    return { ok: true } as const;
  });
}

/** The language the customer chose with the switcher, saved for every device and every mail. */
export async function setCustomerLocale(customerId: string, locale: Locale): Promise<void> {
  // A switch, not an edit of something read earlier: written whatever the version.
  await updateProfile(customerId, { locale }, { channel: 'portal', expectedVersion: null });
}

export async function getAccountOverview(
  customerId: string,
): Promise<{ firstName: string | null; email: string } | null> {
  return prisma.user.findUnique({ where: { id: customerId }, select: { firstName: true, email: true } });
}

export async function getCustomerStatus(customerId: string): Promise<{ onboarded: boolean }> {
  const row = await prisma.user.findUnique({ where: { id: customerId }, select: { onboardedAt: true } });
  return { onboarded: Boolean(row?.onboardedAt) };
}

/** What `customer.deleted` says was erased. */
const ERASED_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'phone',
  'locale',
  'addresses',
  'sessions',
  'passkeys',
  'history',
  'accessLog',
];

/**
 * Erases the customer (docs/decisions/015-account-deletion.md): personal data
 * goes; consent receipts stay as proof, their subject only the irreversible
 * pseudonym; every session ends; the customer's outbox events and webhook
 * deliveries go, and `customer.deleted` is written in the same transaction. The address is free at once: it can register as a new customer.
 *
 * A staff erasure (docs/decisions/033-staff-console.md §5) also writes its
 * audit row and, with `notify`, the "account erased" mail in that transaction,
 * before the row goes: the trigger on customers then leaves the audit row (and
 * every earlier one) under the pseudonym only, and the mail is sealed in the
 * queue (ADR 027) with nothing left to send it to afterwards.
 */
export async function deleteCustomer(
  customerId: string,
  opts: {
    channel: string;
    audit?: { actor: AuditActor; reason: string; details?: AuditEntry['details'] };
    notify?: boolean;
  },
): Promise<{ ok: true } | { ok: false; reason: 'not-found' }> {
  const result = await withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, reason: 'not-found' } as const;
    const earlier = await tx.emailChangeRequest.findMany({
      where: { customerId },
      select: { oldEmail: true, newEmail: true },
    });
    const emails = [...new Set([customer.email, ...earlier.flatMap((r) => [r.oldEmail, r.newEmail])])];
    const limitKeys = emails.flatMap((email) => [`send:email:${email}`, `verify:email:${email}`]);

    // Proof of consent outlives the account, under the pseudonym only.
    await tx.consentReceipt.updateMany({ where: { customerId }, data: { customerId: null } });
    // Rows that name the customer without a foreign key to cascade from.
    await tx.signInChallenge.deleteMany({ where: { email: { in: emails } } });
    await tx.webAuthnChallenge.deleteMany({ where: { customerId } });
    await tx.pendingIdentityLink.deleteMany({ where: { customerId } });
    await tx.devMail.deleteMany({ where: { to: { in: emails } } });
    await tx.$executeRaw`DELETE FROM rate_limits WHERE key = ANY(${limitKeys})`;
    // The customer's earlier events (and their deliveries, ON DELETE CASCADE) carry the
    // customer's id at the instants of their consent answers: kept, they would tie the
    // pseudonymous receipts back to the id. Only customer.deleted names the id now.
    await tx.outboxEvent.deleteMany({ where: { customerId } });
    await writeEvent(tx, 'customer.deleted', customerId, { fields: ERASED_FIELDS, channel: opts.channel });
    if (opts.audit) {
      await writeAudit(tx, opts.audit.actor, {
        action: 'customer.erase',
        customerId,
        reason: opts.audit.reason,
        details: opts.audit.details,
      });
    }
    let mailId: string | null = null;
    if (opts.notify) {
      const { locale } = await tx.user.findUniqueOrThrow({ where: { id: customerId }, select: { locale: true } });
      const mail = await accountErasedMail({ to: customer.email, locale: isLocale(locale) ? locale : defaultLocale });
      // A random key: the queue's row outlives the customer and must not name them.
      mailId = await enqueueMail(tx, { ...mail, key: `account-erased:${randomUUID()}`, purpose: 'account-erased' });
    }
    // The apps the customer is signed in to hear of it (back-channel logout) before the sessions cascade away.
    await endProviderSessions(tx, customerId, 'all-sessions');
    // Sessions, passkeys, accounts, addresses, phone, history, email changes,
    // opt-outs, access log and security events go with it (ON DELETE CASCADE).
    await tx.user.delete({ where: { id: customerId }, select: { id: true } });
    return { ok: true, mailId } as const;
  });
  if (!result.ok) return result;
  await deliverNow([result.mailId]);
  return { ok: true };
}
