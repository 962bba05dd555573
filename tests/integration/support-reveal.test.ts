import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { RevealSchema, TICKET_REF_MAX_LENGTH } from '@/lib/validation/support';
import { listDataAccess } from '@/server/consent/access-log';
import { updateProfile } from '@/server/customers/profile';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';
import { getAgentCase, openCase, requireOpenCase, type SupportCase } from '@/server/support/cases';
import { agentPseudonym, getCaseCustomerView, revealField, SUPPORT_PURPOSE } from '@/server/support/customer-view';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { SmtpSink } from './smtp-sink';

// Reveals in a support case (issue 16 item 2 and 3): masked by default, one field at a
// time in the agent's own open case, logged for the customer on every render that
// carries the value, the customer mailed; refused with nothing written otherwise.
// The brand names agents by pseudonym here (SUPPORT_AGENT_NAMES), so the log shows it.
const { smtpPort } = await vi.hoisted(async () => {
  const { freePort } = await import('../../scripts/free-port');
  const port = await freePort();
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.MAIL_TIMEOUT_MS = '2000';
  process.env.SUPPORT_AGENT_NAMES = 'pseudonym';
  return { smtpPort: port };
});

const sink = new SmtpSink(smtpPort);
beforeAll(() => sink.start());
afterAll(() => sink.stop());
beforeEach(() => {
  sink.messages.length = 0;
});

const PHONE = '+33612345678';
const STREET = '7 rue des Lilas';

async function agent(name = 'Sam Support'): Promise<StaffActor> {
  const staff = await createStaffMember({ roles: ['support-agent'], displayName: name });
  return {
    id: staff.id,
    sessionId: randomUUID(),
    email: staff.email,
    displayName: staff.displayName,
    roles: ['support-agent'],
    locale: 'en',
    authenticatedAt: new Date(),
    audit: { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-reveal' },
  } as StaffActor;
}

async function customerWithData(opts: { phone?: boolean } = {}) {
  const customer = await createCustomer({
    email: uniqueEmail('reveal'),
    firstName: 'Jane',
    lastName: 'Doe',
    address: { line1: STREET, postalCode: '69003', city: 'Lyon', country: 'FR' },
  });
  if (opts.phone !== false)
    await updateProfile(customer.id, { phone: PHONE }, { channel: 'portal', expectedVersion: null });
  return customer;
}

/** A case as a verification opens it (sup-core's codes and requests do it through the UI). */
async function openCaseFor(member: StaffActor, customerId: string, closed = false): Promise<SupportCase> {
  const id = await prisma.$transaction((tx) =>
    openCase(tx, member, { customerId, method: 'support-code', sessionId: null, sessionLabel: 'Chrome on macOS' }),
  );
  if (closed) await prisma.supportCase.update({ where: { id }, data: { closedAt: new Date() } });
  const supportCase = await getAgentCase(member, id);
  if (!supportCase) throw new Error('no case');
  return supportCase;
}

const INPUT = { field: 'phone', reason: 'delivery-problem', ticketRef: 'T-1042' } as const;

const counts = async (customerId: string) => ({
  reveals: await prisma.supportReveal.count({ where: { customerId } }),
  audits: await prisma.auditLog.count({ where: { customerId, action: 'customer.reveal' } }),
  accesses: await prisma.dataAccessLog.count({ where: { customerId } }),
});

describe('the case view', () => {
  it('shows masked values only, and logs the view for the customer under the agent pseudonym', async () => {
    const member = await agent();
    const customer = await customerWithData();
    const supportCase = await openCaseFor(member, customer.id);

    const view = await getCaseCustomerView(member, supportCase, 'en');
    if (view.state !== 'open') throw new Error(view.state);
    expect(view.customer).toMatchObject({
      name: 'J. D.',
      email: `${customer.email[0]}•••@e•••.test`,
      phone: '•• •• •• •• 78',
      addresses: [{ kind: 'homeAddress', city: 'Lyon', country: 'FR' }],
    });
    expect(view.revealed).toEqual([]);
    const serialized = JSON.stringify(view);
    for (const secret of [customer.email, PHONE, STREET, '69003', 'Jane', 'Doe'])
      expect(serialized).not.toContain(secret);
    expect(view.cases.map((c) => [c.id, c.current])).toEqual([[supportCase.id, true]]);

    const [entry] = await listDataAccess(customer.id);
    expect(entry).toMatchObject({
      accessorType: 'staff',
      accessorName: agentPseudonym(member.id),
      purpose: SUPPORT_PURPOSE,
      reason: `case ${supportCase.id.slice(0, 8)}`,
    });
    expect(agentPseudonym(member.id)).toBe(`Agent ${sha256(member.id).slice(0, 4).toUpperCase()}`);
    expect(entry!.fields).toEqual(expect.arrayContaining(['email', 'phone', 'postalAddress', 'sessions']));
    const [audit] = await prisma.auditLog.findMany({ where: { customerId: customer.id, action: 'customer.view' } });
    expect(audit).toMatchObject({ actorStaffId: member.id, reason: `case ${supportCase.id.slice(0, 8)}` });
    expect(audit!.details).toMatchObject({ caseId: supportCase.id, revealed: [] });
  });
});

describe('a reveal', () => {
  it('shows one value for 15 minutes, logs each render carrying it, audits it and mails the customer', async () => {
    const member = await agent();
    const customer = await customerWithData();
    const supportCase = await openCaseFor(member, customer.id);
    const now = new Date();

    const result = await revealField(member, supportCase.id, INPUT, now);
    expect(result).toEqual({ ok: true, expiresAt: new Date(now.getTime() + 15 * 60 * 1000) });
    // The reveal itself sends nothing to the agent: the next render does, and logs it.
    expect((await counts(customer.id)).accesses).toBe(0);
    const [audit] = await prisma.auditLog.findMany({ where: { customerId: customer.id, action: 'customer.reveal' } });
    expect(audit).toMatchObject({ actorStaffId: member.id, reason: 'delivery-problem' });
    expect(audit!.details).toMatchObject({ caseId: supportCase.id, field: 'phone', ticketRef: 'T-1042' });
    expect(JSON.stringify(audit!.details)).not.toContain(PHONE);

    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0]!;
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe(customer.email);
    expect(mail.subject).toBe('A support agent saw your phone number');
    expect(mail.text).toContain(agentPseudonym(member.id));
    expect(mail.text).toContain('T-1042');
    expect(mail.text).not.toContain(PHONE);

    for (let render = 0; render < 2; render++) {
      const view = await getCaseCustomerView(member, supportCase, 'en', new Date(now.getTime() + 60_000));
      if (view.state !== 'open') throw new Error(view.state);
      expect(view.revealed.map((r) => [r.field, r.value])).toEqual([['phone', PHONE]]);
      expect(view.customer.email).not.toBe(customer.email);
      expect(JSON.stringify(view)).not.toContain(STREET);
    }
    const reveals = (await listDataAccess(customer.id)).filter((a) => a.fields.length === 1);
    expect(reveals).toHaveLength(2);
    expect(reveals[0]).toMatchObject({
      fields: ['phone'],
      purpose: SUPPORT_PURPOSE,
      reason: 'reveal delivery-problem ticket T-1042',
      accessorName: agentPseudonym(member.id),
    });
  });

  it('expires: once the window has passed the value is masked again and no longer logged', async () => {
    const member = await agent();
    const customer = await customerWithData();
    const supportCase = await openCaseFor(member, customer.id);
    expect((await revealField(member, supportCase.id, INPUT)).ok).toBe(true);
    await prisma.supportReveal.updateMany({
      where: { caseId: supportCase.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const view = await getCaseCustomerView(member, supportCase, 'en');
    if (view.state !== 'open') throw new Error(view.state);
    expect(view.revealed).toEqual([]);
    expect(JSON.stringify(view)).not.toContain(PHONE);
    expect(view.reveals).toHaveLength(1);
    expect(
      (await listDataAccess(customer.id)).filter((a) => a.fields.includes('phone') && a.fields.length === 1),
    ).toEqual([]);
  });

  it('is refused, with nothing written, outside the agent’s own open case', async () => {
    const member = await agent();
    const other = await agent('Olive Other');
    const customer = await customerWithData();
    const othersCase = await openCaseFor(other, customer.id);
    const closedCase = await openCaseFor(member, customer.id, true);

    for (const caseId of [othersCase.id, closedCase.id, randomUUID(), 'not-a-uuid', '']) {
      expect(await revealField(member, caseId, INPUT)).toEqual({ ok: false, reason: 'forbidden' });
    }
    expect(await counts(customer.id)).toEqual({ reveals: 0, audits: 0, accesses: 0 });
    expect(sink.messages).toHaveLength(0);
    expect((await requireOpenCase(member, othersCase.id)).ok).toBe(false);

    // Another agent's case and a closed case show their history only: no value, nothing logged.
    for (const c of [othersCase, closedCase]) {
      const view = await getCaseCustomerView(member, c, 'en');
      expect(view.state).toBe('read-only');
      expect(JSON.stringify(view)).not.toMatch(/Lyon|•••|78/);
    }
    expect((await counts(customer.id)).accesses).toBe(0);
  });

  it('says when the customer has no such value, and writes nothing', async () => {
    const member = await agent();
    const customer = await customerWithData({ phone: false });
    const supportCase = await openCaseFor(member, customer.id);
    expect(await revealField(member, supportCase.id, INPUT)).toEqual({ ok: false, reason: 'no-value' });
    expect(
      await revealField(member, supportCase.id, { field: 'billingAddress', reason: 'billing-problem', ticketRef: 'T' }),
    ).toEqual({ ok: false, reason: 'no-value' });
    expect(await counts(customer.id)).toEqual({ reveals: 0, audits: 0, accesses: 0 });
    expect(sink.messages).toHaveLength(0);
  });
});

describe('reveal input', () => {
  const parse = (input: unknown) => {
    const result = RevealSchema.safeParse(input);
    return result.success ? 'ok' : result.error.issues.map((i) => i.message);
  };

  it('needs a field and a reason from the lists and a ticket reference of 1 to 100 characters', () => {
    expect(parse(INPUT)).toBe('ok');
    expect(parse({ ...INPUT, ticketRef: '  T-9  ' })).toBe('ok');
    expect(parse({ ...INPUT, ticketRef: '' })).toEqual(['console.support.view.ticketRequired']);
    expect(parse({ ...INPUT, ticketRef: '   ' })).toEqual(['console.support.view.ticketRequired']);
    expect(parse({ ...INPUT, ticketRef: 'x'.repeat(TICKET_REF_MAX_LENGTH + 1) })).toEqual([
      'console.support.view.ticketTooLong',
    ]);
    expect(parse({ ...INPUT, ticketRef: 'T\u0000' })).toEqual(['console.support.view.ticketInvalid']);
    expect(parse({ ...INPUT, reason: '' })).toEqual(['console.support.view.reasonRequired']);
    expect(parse({ ...INPUT, reason: 'curiosity' })).toEqual(['console.support.view.reasonRequired']);
    expect(parse({ ...INPUT, field: 'passkeys' })).toEqual(['console.support.view.fieldInvalid']);
    expect(parse({ ...INPUT, field: 'exportContents' })).toEqual(['console.support.view.fieldInvalid']);
    expect(parse(null)).not.toBe('ok');
  });
});
