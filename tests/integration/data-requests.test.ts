import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { listDataAccess } from '@/server/consent/access-log';
import { buildExport } from '@/server/customers/export';
import { maskEmail } from '@/server/customers/masks';
import { updateProfile } from '@/server/customers/profile';
import type { AuditActor } from '@/server/platform/audit';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import {
  DATA_REQUEST_PURPOSE,
  eraseCustomer,
  exportCustomer,
  FIND_VALID_MS,
  findCustomerByEmail,
  viewCustomer,
  type DataRequestActor,
} from '@/server/staff/data-requests';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { SmtpSink } from './smtp-sink';

// The privacy officer's data requests against a real SMTP server: the customer
// is told of an export and of an erasure (docs/decisions/033-staff-console.md §5).
const { smtpPort } = await vi.hoisted(async () => {
  const { freePort } = await import('../../scripts/free-port');
  const port = await freePort();
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.MAIL_TIMEOUT_MS = '2000';
  return { smtpPort: port };
});

const sink = new SmtpSink(smtpPort);
beforeAll(() => sink.start());
afterAll(() => sink.stop());
beforeEach(() => {
  sink.messages.length = 0;
});

async function officer(): Promise<DataRequestActor & { email: string }> {
  const staff = await createStaffMember({ roles: ['privacy-officer'], displayName: 'Priya Officer' });
  const audit: AuditActor = { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-dr' };
  return { id: staff.id, email: staff.email, displayName: staff.displayName, audit };
}

async function customerWithData() {
  const customer = await createCustomer({
    email: uniqueEmail('dr'),
    address: { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' },
  });
  await updateProfile(customer.id, { phone: '+33612345678' }, { channel: 'portal', expectedVersion: null });
  return customer;
}

const auditRows = (staffId: string) =>
  prisma.auditLog.findMany({ where: { actorStaffId: staffId }, orderBy: { id: 'asc' } });

describe('finding a customer', () => {
  it('finds by the exact address only, and audits each search without the address', async () => {
    const member = await officer();
    const customer = await customerWithData();
    expect(await findCustomerByEmail(member, { email: customer.email, reason: 'DSR-10' })).toEqual({
      found: true,
      customerId: customer.id,
    });
    const prefix = customer.email.slice(0, 10);
    expect(await findCustomerByEmail(member, { email: prefix, reason: 'DSR-10' })).toEqual({ found: false });

    const rows = await auditRows(member.id);
    expect(rows.map((r) => [r.action, r.customerId, r.reason, r.details])).toEqual([
      ['customer.find', customer.id, 'DSR-10', { found: true }],
      ['customer.find', null, 'DSR-10', { found: false }],
    ]);
    expect(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(prefix);
  });
});

describe('viewing a customer', () => {
  it('shows a masked summary, and writes the audit row and the access-log row in one transaction', async () => {
    const member = await officer();
    const customer = await customerWithData();
    await findCustomerByEmail(member, { email: customer.email, reason: 'DSR-11 from the web form' });

    const view = await viewCustomer(member, customer.id);
    expect(view).toEqual({
      ok: true,
      customer: {
        id: customer.id,
        email: maskEmail(customer.email),
        phone: '•• •• •• •• 78',
        addresses: 1,
        consentsGranted: 1,
        createdAt: expect.any(Date),
      },
    });
    expect(maskEmail('jane.doe@example.com')).toBe('j•••@e•••.com');

    const viewRow = (await auditRows(member.id)).at(-1);
    expect(viewRow).toMatchObject({
      action: 'customer.view',
      customerId: customer.id,
      reason: 'DSR-11 from the web form',
      requestId: 'req-dr',
    });
    const [logged] = await listDataAccess(customer.id);
    expect(logged).toMatchObject({
      accessorType: 'staff',
      accessorName: 'Priya Officer',
      fields: ['consents', 'email', 'phone', 'postalAddress'],
      purpose: DATA_REQUEST_PURPOSE,
      reason: 'DSR-11 from the web form',
    });
    // The id of the transaction that wrote each row: one and the same.
    const [writers] = await prisma.$queryRaw<Array<{ audit: string; access: string }>>`
      SELECT (SELECT xmin::text FROM audit_log WHERE id = ${viewRow?.id}) AS audit,
             (SELECT xmin::text FROM data_access_log WHERE id = ${BigInt(logged?.id ?? 0)}) AS access`;
    expect(writers?.audit).toBeTruthy();
    expect(writers?.audit).toBe(writers?.access);
  });

  it('shows nothing and writes nothing without a recent find by the same member', async () => {
    const member = await officer();
    const other = await officer();
    const customer = await customerWithData();
    expect(await viewCustomer(member, customer.id)).toEqual({ ok: false, reason: 'find-first' });
    expect(await viewCustomer(member, 'not-a-uuid')).toEqual({ ok: false, reason: 'find-first' });

    await findCustomerByEmail(other, { email: customer.email, reason: 'DSR-12' });
    expect(await viewCustomer(member, customer.id)).toEqual({ ok: false, reason: 'find-first' });
    await findCustomerByEmail(member, { email: customer.email, reason: 'DSR-12' });
    expect(await viewCustomer(member, customer.id, new Date(Date.now() + FIND_VALID_MS + 1000))).toEqual({
      ok: false,
      reason: 'find-first',
    });

    expect((await auditRows(member.id)).map((r) => r.action)).toEqual(['customer.find']);
    expect(await listDataAccess(customer.id)).toEqual([]);
  });
});

describe('exporting a customer', () => {
  it("gives the customer's own export, audited, logged for them, and tells them by mail", async () => {
    const member = await officer();
    const customer = await customerWithData();
    const result = await exportCustomer(member, customer.id, { reason: 'DSR-13 access request' });
    if (!result.ok) throw new Error('export refused');

    const own = await buildExport(customer.id);
    const strip = (data: unknown) => ({ ...(data as object), exportedAt: null });
    expect(strip(result.data)).toEqual(strip(own));
    expect(result.data.customer.email).toBe(customer.email);
    expect(result.data.dataAccessLog.at(-1)).toMatchObject({
      accessorType: 'staff',
      fields: ['allData'],
      purpose: DATA_REQUEST_PURPOSE,
    });

    expect((await auditRows(member.id)).map((r) => [r.action, r.customerId, r.reason])).toEqual([
      ['customer.export', customer.id, 'DSR-13 access request'],
    ]);
    expect(sink.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : null, m.subject])).toEqual([
      [customer.email, 'A copy of your data was made at your request'],
    ]);
  });

  it('refuses an unknown customer and writes nothing', async () => {
    const member = await officer();
    expect(await exportCustomer(member, crypto.randomUUID(), { reason: 'DSR-14' })).toEqual({
      ok: false,
      reason: 'not-found',
    });
    expect(await auditRows(member.id)).toEqual([]);
    expect(sink.messages).toEqual([]);
  });
});

describe('erasing a customer', () => {
  it('refuses a wrong typed address and writes nothing', async () => {
    const member = await officer();
    const customer = await customerWithData();
    const input = { reason: 'DSR-15', requestReference: 'REQ-15', confirmation: 'someone@example.test' };
    expect(await eraseCustomer(member, customer.id, input)).toEqual({ ok: false, reason: 'email-mismatch' });
    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(1);
    expect(await auditRows(member.id)).toEqual([]);
    expect(sink.messages).toEqual([]);
  });

  it('erases, audits in the erasure, tells the customer, and keeps every audit row under the pseudonym', async () => {
    const member = await officer();
    const customer = await customerWithData();
    await findCustomerByEmail(member, { email: customer.email, reason: 'DSR-16' });
    await viewCustomer(member, customer.id);
    const result = await eraseCustomer(member, customer.id, {
      reason: 'DSR-16 erasure request, identity checked',
      requestReference: 'REQ-2026-16',
      confirmation: ` ${customer.email.toUpperCase()} `,
    });
    expect(result).toEqual({ ok: true });

    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(0);
    const rows = await auditRows(member.id);
    expect(rows.map((r) => [r.action, r.customerId, r.subjectPseudonym])).toEqual([
      ['customer.find', null, subjectPseudonym(customer.id)],
      ['customer.view', null, subjectPseudonym(customer.id)],
      ['customer.erase', null, subjectPseudonym(customer.id)],
    ]);
    expect(rows.at(-1)).toMatchObject({
      reason: 'DSR-16 erasure request, identity checked',
      details: { requestReference: 'REQ-2026-16' },
    });
    const deleted = await prisma.outboxEvent.findFirstOrThrow({ where: { customerId: customer.id } });
    expect(deleted).toMatchObject({
      type: 'customer.deleted',
      payload: expect.objectContaining({ channel: 'privacy-officer' }),
    });

    expect(sink.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : null, m.subject])).toEqual([
      [customer.email, 'Your Accord account has been erased'],
    ]);
    // Nothing of the mail is left in the queue once sent (ADR 027).
    const queued = await prisma.mailQueue.findFirstOrThrow({
      where: { purpose: 'account-erased' },
      orderBy: { createdAt: 'desc' },
    });
    expect(queued).toMatchObject({ status: 'sent', payload: null });
    expect(queued.idempotencyKey).not.toContain(customer.id);
  });

  it('refuses an unknown customer', async () => {
    const member = await officer();
    const input = { reason: 'DSR-17', requestReference: 'REQ-17', confirmation: 'a@example.test' };
    expect(await eraseCustomer(member, crypto.randomUUID(), input)).toEqual({ ok: false, reason: 'not-found' });
    expect(await auditRows(member.id)).toEqual([]);
  });
});
