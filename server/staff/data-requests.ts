import 'server-only';

import { randomUUID } from 'node:crypto';

import { defaultLocale, isLocale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import { recordDataAccess, type DataAccess } from '@/server/consent/access-log';
import { deleteCustomer } from '@/server/customers/account';
import { dataExportedMail } from '@/server/customers/data-request-mail';
import { buildExport, type CustomerExport } from '@/server/customers/export';
import { maskEmail, maskPhone } from '@/server/customers/masks';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';

// A privacy officer's data requests (issue 13 item 4, docs/decisions/033-staff-console.md §5):
// find a customer by their exact address, view a masked summary, export, erase.
// Every step is audited in its own transaction; every read of the customer's
// data is also in their "who looked at my data" (server/consent/access-log.ts).

/** The member acting: the audit row names them, and so does the customer's access log. */
export type DataRequestActor = { id: string; displayName: string; audit: AuditActor };

/** The documented reason code of these reads in the customer's access log. */
export const DATA_REQUEST_PURPOSE = 'data-subject-request';
/** A view follows a find by the same member within this time, and carries its reason. */
export const FIND_VALID_MS = 60 * 60 * 1000;

const VIEW_FIELDS = ['email', 'phone', 'postalAddress', 'consents'];
const EXPORT_FIELDS = ['allData'];

function access(actor: DataRequestActor, customerId: string, fields: string[], reason: string): DataAccess {
  return {
    customerId,
    accessor: { type: 'staff', id: actor.id, name: actor.displayName },
    fields,
    purpose: DATA_REQUEST_PURPOSE,
    reason,
  };
}

/**
 * Exact address only: no prefix, no list, so a member learns nothing about
 * addresses they do not already have. Found or not, the search is audited
 * (never with the address: the row outlives an erasure).
 */
export async function findCustomerByEmail(
  actor: DataRequestActor,
  input: { email: string; reason: string },
): Promise<{ found: true; customerId: string } | { found: false }> {
  return prisma.$transaction(async (tx) => {
    const customer = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    await writeAudit(tx, actor.audit, {
      action: 'customer.find',
      customerId: customer?.id ?? null,
      reason: input.reason,
      details: { found: Boolean(customer) },
    });
    return customer ? { found: true, customerId: customer.id } : { found: false };
  });
}

export type MaskedCustomer = {
  id: string;
  email: string;
  phone: string | null;
  addresses: number;
  /** Purposes whose latest answer is a grant. */
  consentsGranted: number;
  createdAt: Date;
};

async function readMasked(tx: Tx, customerId: string): Promise<MaskedCustomer | null> {
  const customer = await tx.user.findUnique({
    where: { id: customerId },
    select: {
      id: true,
      email: true,
      createdAt: true,
      phone: { select: { e164: true } },
      _count: { select: { addresses: true } },
    },
  });
  if (!customer) return null;
  const [consents] = await tx.$queryRaw<Array<{ granted: number }>>`
    SELECT count(*) FILTER (WHERE granted)::int AS granted FROM accord_current_consents(${customerId}::uuid)`;
  return {
    id: customer.id,
    email: maskEmail(customer.email),
    phone: customer.phone ? maskPhone(customer.phone.e164) : null,
    addresses: customer._count.addresses,
    consentsGranted: consents?.granted ?? 0,
    createdAt: customer.createdAt,
  };
}

/**
 * The masked summary, read in the transaction that audits the view and logs
 * it for the customer: a view without both rows never returns data. The
 * reason is the one the member gave when they found the customer; without a
 * recent find by them, there is nothing to show ('find-first'), whatever the id.
 */
export async function viewCustomer(
  actor: DataRequestActor,
  customerId: string,
  now = new Date(),
): Promise<{ ok: true; customer: MaskedCustomer } | { ok: false; reason: 'find-first' }> {
  if (!isUuid(customerId)) return { ok: false, reason: 'find-first' };
  return prisma.$transaction(async (tx) => {
    const find = await tx.auditLog.findFirst({
      where: {
        action: 'customer.find',
        actorStaffId: actor.id,
        customerId,
        occurredAt: { gt: new Date(now.getTime() - FIND_VALID_MS) },
      },
      orderBy: { id: 'desc' },
      select: { id: true, reason: true },
    });
    const customer = find?.reason ? await readMasked(tx, customerId) : null;
    if (!find?.reason || !customer) return { ok: false, reason: 'find-first' } as const;
    await writeAudit(tx, actor.audit, {
      action: 'customer.view',
      customerId,
      reason: find.reason,
      details: { find: find.id.toString(), fields: VIEW_FIELDS },
    });
    await recordDataAccess(tx, [access(actor, customerId, VIEW_FIELDS, find.reason)]);
    return { ok: true, customer } as const;
  });
}

/**
 * The customer's own export (server/customers/export.ts), for the officer to
 * send in reply to the request: audited, logged for the customer and the
 * customer told by mail, in one transaction, before the file is built.
 */
export async function exportCustomer(
  actor: DataRequestActor,
  customerId: string,
  input: { reason: string },
): Promise<{ ok: true; data: CustomerExport } | { ok: false; reason: 'not-found' }> {
  if (!isUuid(customerId)) return { ok: false, reason: 'not-found' };
  const customer = await prisma.user.findUnique({ where: { id: customerId }, select: { email: true, locale: true } });
  if (!customer) return { ok: false, reason: 'not-found' };
  // Rendered before the transaction: loading a catalogue is no work to hold it open for.
  const mail = await dataExportedMail({
    to: customer.email,
    locale: isLocale(customer.locale) ? customer.locale : defaultLocale,
  });
  const mailId = await prisma.$transaction(async (tx) => {
    if (!(await tx.user.findUnique({ where: { id: customerId }, select: { id: true } }))) return undefined;
    await writeAudit(tx, actor.audit, { action: 'customer.export', customerId, reason: input.reason });
    await recordDataAccess(tx, [access(actor, customerId, EXPORT_FIELDS, input.reason)]);
    return enqueueMail(tx, { ...mail, key: `data-export:${randomUUID()}`, purpose: 'data-export' });
  });
  if (mailId === undefined) return { ok: false, reason: 'not-found' };
  await deliverNow([mailId]);
  const data = await buildExport(customerId);
  return data ? { ok: true, data } : { ok: false, reason: 'not-found' };
}

/**
 * Erasure on a verified request (ADR 015 through deleteCustomer): the member
 * types the customer's address again, gives a reason and the request's
 * reference; the audit row and the customer's mail are written in the
 * erasure's own transaction.
 */
export async function eraseCustomer(
  actor: DataRequestActor,
  customerId: string,
  input: { reason: string; requestReference: string; confirmation: string },
): Promise<{ ok: true } | { ok: false; reason: 'not-found' | 'email-mismatch' }> {
  if (!isUuid(customerId)) return { ok: false, reason: 'not-found' };
  const customer = await prisma.user.findUnique({ where: { id: customerId }, select: { email: true } });
  if (!customer) return { ok: false, reason: 'not-found' };
  if (customer.email !== input.confirmation.trim().toLowerCase()) return { ok: false, reason: 'email-mismatch' };
  return deleteCustomer(customerId, {
    channel: 'privacy-officer',
    audit: { actor: actor.audit, reason: input.reason, details: { requestReference: input.requestReference } },
    notify: true,
  });
}
