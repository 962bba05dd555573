import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { AgreementSchema, SupportConsentSchema, SupportFixAddressSchema } from '@/lib/validation/support-actions';
import { getProfile, listProfileChanges } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';
import {
  endAllSessions,
  fixAddress,
  recordConsentChange,
  resendEmailChange,
  startEmailChange,
} from '@/server/support/agent-actions';
import { getAgentCase, openCase, type SupportCase } from '@/server/support/cases';
import { createCustomer, createSessionFor, createStaffMember } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { SmtpSink } from './smtp-sink';

// Agent actions in a support case (issue 16 item 4): each through the portal's own
// write path with the agent as channel, audited in the write's transaction, and
// refused (403, nothing written) outside the acting agent's own open case.
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

const NEW_ADDRESS = {
  country: 'FR',
  line1: '12 quai Saint-Vincent',
  line2: '',
  postalCode: '69001',
  city: 'Lyon',
} as const;

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
    audit: { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-actions' },
  } as StaffActor;
}

const customer = () =>
  createCustomer({
    email: uniqueEmail('actions'),
    firstName: 'Jane',
    address: { line1: '7 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' },
  });

/** A case as a verification opens it (sup-core's codes and requests open them through the UI). */
async function openCaseFor(member: StaffActor, customerId: string, closed = false): Promise<SupportCase> {
  const id = await prisma.$transaction((tx) =>
    openCase(tx, member, { customerId, method: 'support-code', sessionId: null, sessionLabel: 'Chrome on macOS' }),
  );
  if (closed) await prisma.supportCase.update({ where: { id }, data: { closedAt: new Date() } });
  const supportCase = await getAgentCase(member, id);
  if (!supportCase) throw new Error('no case');
  return supportCase;
}

/** Everything an action could write about a customer. */
async function footprint(customerId: string) {
  return {
    audits: await prisma.auditLog.count({ where: { customerId } }),
    changes: await prisma.profileChange.count({ where: { customerId } }),
    sessions: await prisma.session.count({ where: { userId: customerId } }),
    securityEvents: await prisma.securityEvent.count({ where: { customerId } }),
    emailChanges: await prisma.emailChangeRequest.count({ where: { customerId } }),
    receipts: await prisma.consentReceipt.count({ where: { customerId } }),
    events: Number(
      (
        await prisma.$queryRaw<
          [{ n: bigint }]
        >`SELECT count(*) AS n FROM outbox_events WHERE customer_id = ${customerId}::uuid`
      )[0].n,
    ),
    address: (await getProfile(customerId))?.addresses.home ?? null,
  };
}

const auditsOf = (customerId: string, action: string) =>
  prisma.auditLog.findMany({
    where: { customerId, action },
    select: { actorStaffId: true, reason: true, details: true },
  });

describe('fixing a postal address', () => {
  it('writes through updateProfile with provenance support:<agent>, its event and its audit row', async () => {
    const member = await agent('Sam Support');
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);

    const result = await fixAddress(member, supportCase.id, { kind: 'home', address: NEW_ADDRESS });
    expect(result).toEqual({ ok: true, changed: true });

    const profile = await getProfile(c.id);
    expect(profile!.addresses.home).toMatchObject({
      line1: '12 quai Saint-Vincent',
      city: 'Lyon',
      postalCode: '69001',
    });
    expect(profile!.provenance['address.home']).toMatchObject({ channel: 'support:Sam Support' });
    const [change] = await listProfileChanges(c.id, 1);
    expect(change).toMatchObject({ attribute: 'address.home', channel: 'support:Sam Support' });
    expect(await auditsOf(c.id, 'support.action.fix-address')).toEqual([
      {
        actorStaffId: member.id,
        reason: `case ${supportCase.id.slice(0, 8)}`,
        details: { caseId: supportCase.id, kind: 'home' },
      },
    ]);
  });

  it('writes no audit row when the address is already the one dictated', async () => {
    const member = await agent();
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);
    await fixAddress(member, supportCase.id, { kind: 'home', address: NEW_ADDRESS });
    const before = await footprint(c.id);
    expect(await fixAddress(member, supportCase.id, { kind: 'home', address: NEW_ADDRESS })).toEqual({
      ok: true,
      changed: false,
    });
    expect(await footprint(c.id)).toEqual(before);
  });
});

describe('ending all sessions', () => {
  it('ends every session of this customer only, with a security event and an audit row', async () => {
    const member = await agent();
    const c = await customer();
    const other = await customer();
    await createSessionFor(c.id);
    await createSessionFor(c.id);
    await createSessionFor(other.id);
    const supportCase = await openCaseFor(member, c.id);

    expect(await endAllSessions(member, supportCase.id)).toEqual({ ok: true, ended: 2 });
    expect(await prisma.session.count({ where: { userId: c.id } })).toBe(0);
    expect(await prisma.session.count({ where: { userId: other.id } })).toBe(1);
    const events = await prisma.securityEvent.findMany({
      where: { customerId: c.id },
      select: { type: true, detail: true },
    });
    expect(events).toEqual([{ type: 'sessions.revoked_all', detail: { source: 'support' } }]);
    expect(await auditsOf(c.id, 'support.action.end-sessions')).toHaveLength(1);
  });
});

describe('email changes', () => {
  it('starts one the customer confirms from the new address, and resends its confirmation', async () => {
    const member = await agent('Sam Support');
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);
    const newEmail = uniqueEmail('new');

    expect(await resendEmailChange(member, supportCase.id, uniqueIp())).toEqual({ ok: false, reason: 'none-pending' });
    expect(await auditsOf(c.id, 'support.action.resend-email-change')).toHaveLength(0);

    expect(await startEmailChange(member, supportCase.id, newEmail, uniqueIp())).toEqual({ ok: true });
    // Nothing changes before the customer confirms.
    expect((await getProfile(c.id))!.email).toBe(c.email);
    const [first] = await prisma.emailChangeRequest.findMany({
      where: { customerId: c.id },
      select: { id: true, newEmail: true, channel: true },
    });
    expect(first).toMatchObject({ newEmail, channel: 'support:Sam Support' });
    expect(sink.messages.map((m) => m.to && 'text' in m.to && m.to.text)).toEqual([newEmail]);
    expect(await auditsOf(c.id, 'support.action.start-email-change')).toHaveLength(1);

    expect(await resendEmailChange(member, supportCase.id, uniqueIp())).toEqual({ ok: true });
    const requests = await prisma.emailChangeRequest.findMany({
      where: { customerId: c.id },
      orderBy: { createdAt: 'asc' },
      select: { id: true, newEmail: true, revokedAt: true },
    });
    expect(requests).toHaveLength(2);
    expect(requests[0]!.revokedAt).not.toBeNull();
    expect(requests[1]).toMatchObject({ newEmail, revokedAt: null });
    expect(sink.messages).toHaveLength(2);
    expect(await auditsOf(c.id, 'support.action.resend-email-change')).toHaveLength(1);
  });

  it('refuses the address the customer already has, writing nothing', async () => {
    const member = await agent();
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);
    const before = await footprint(c.id);
    expect(await startEmailChange(member, supportCase.id, c.email, uniqueIp())).toEqual({
      ok: false,
      reason: 'same-address',
    });
    expect(await footprint(c.id)).toEqual(before);
    expect(sink.messages).toHaveLength(0);
  });
});

describe('recording a consent change', () => {
  it('writes a receipt by support call, its event, an audit row, and mails the customer', async () => {
    const member = await agent('Sam Support');
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);

    expect(
      await recordConsentChange(member, supportCase.id, { purposeKey: 'marketing-emails', granted: true }),
    ).toEqual({
      ok: true,
      changed: true,
    });
    const [receipt] = await prisma.consentReceipt.findMany({
      where: { customerId: c.id, purposeKey: 'marketing-emails' },
      select: { granted: true, channel: true, collectionMethod: true },
    });
    expect(receipt).toEqual({ granted: true, channel: 'support', collectionMethod: 'support-call' });
    expect(await auditsOf(c.id, 'support.action.record-consent')).toEqual([
      {
        actorStaffId: member.id,
        reason: `case ${supportCase.id.slice(0, 8)}`,
        details: { caseId: supportCase.id, purpose: 'marketing-emails', granted: true },
      },
    ]);
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0]!;
    expect(mail.to && 'text' in mail.to && mail.to.text).toBe(c.email);
    expect(mail.subject).toContain('with our support');
    expect(mail.text).toContain('Sam Support');

    // The same answer again changes nothing and tells no one.
    expect(
      await recordConsentChange(member, supportCase.id, { purposeKey: 'marketing-emails', granted: true }),
    ).toEqual({
      ok: true,
      changed: false,
    });
    expect(await auditsOf(c.id, 'support.action.record-consent')).toHaveLength(1);
    expect(sink.messages).toHaveLength(1);
  });

  it('refuses a required purpose withdrawn and an unknown one, writing nothing', async () => {
    const member = await agent();
    const c = await customer();
    const supportCase = await openCaseFor(member, c.id);
    const before = await footprint(c.id);
    expect(
      await recordConsentChange(member, supportCase.id, { purposeKey: 'terms-of-service', granted: false }),
    ).toEqual({ ok: false, reason: 'required' });
    expect(await recordConsentChange(member, supportCase.id, { purposeKey: 'no-such-purpose', granted: true })).toEqual(
      {
        ok: false,
        reason: 'unknown-purpose',
      },
    );
    expect(await footprint(c.id)).toEqual(before);
    expect(sink.messages).toHaveLength(0);
  });
});

describe('refusals: nothing written outside the agent own open case', () => {
  const actions = (member: StaffActor, caseId: string) => [
    () => fixAddress(member, caseId, { kind: 'home', address: NEW_ADDRESS }),
    () => endAllSessions(member, caseId),
    () => startEmailChange(member, caseId, uniqueEmail('refused'), uniqueIp()),
    () => resendEmailChange(member, caseId, uniqueIp()),
    () => recordConsentChange(member, caseId, { purposeKey: 'marketing-emails', granted: true }),
  ];

  it.each([
    ['a closed case', async (member: StaffActor, c: { id: string }) => (await openCaseFor(member, c.id, true)).id],
    [
      "another agent's case",
      async (_: StaffActor, c: { id: string }) => (await openCaseFor(await agent('Other'), c.id)).id,
    ],
    ['a case that does not exist', async () => randomUUID()],
    ["the customer's own id", async (_: StaffActor, c: { id: string }) => c.id],
    ['not an id', async () => "' OR 1=1 --"],
  ])('%s: 403 for every action', async (_label, caseIdFor) => {
    const member = await agent();
    const c = await customer();
    await createSessionFor(c.id);
    // A pending change the resend would otherwise mail again.
    await startEmailChange(member, (await openCaseFor(member, c.id)).id, uniqueEmail('pending'), uniqueIp());
    await prisma.supportCase.updateMany({ where: { customerId: c.id }, data: { closedAt: new Date() } });
    sink.messages.length = 0;
    const caseId = await caseIdFor(member, c);
    const before = await footprint(c.id);
    for (const action of actions(member, caseId)) expect(await action()).toEqual({ ok: false, reason: 'forbidden' });
    expect(await footprint(c.id)).toEqual(before);
    expect(sink.messages).toHaveLength(0);
  });

  it("an agent's case for one customer acts on that customer only, never another", async () => {
    const member = await agent();
    const c = await customer();
    const other = await customer();
    await createSessionFor(other.id);
    const supportCase = await openCaseFor(member, c.id);
    const before = await footprint(other.id);
    await fixAddress(member, supportCase.id, { kind: 'home', address: NEW_ADDRESS });
    await endAllSessions(member, supportCase.id);
    expect(await footprint(other.id)).toEqual(before);
  });
});

describe('the forms: the customer agreement is required', () => {
  it('refuses an unticked agreement, and bad fields with their message keys', () => {
    expect(AgreementSchema.safeParse({ agreed: false }).error?.issues[0]?.message).toBe(
      'console.support.actions.agreementRequired',
    );
    expect(AgreementSchema.safeParse({}).success).toBe(false);
    expect(AgreementSchema.safeParse({ agreed: true }).success).toBe(true);
    const address = SupportFixAddressSchema.safeParse({
      agreed: true,
      kind: 'home',
      address: { ...NEW_ADDRESS, postalCode: 'ABC', line1: 'x'.repeat(201) },
    });
    expect(address.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([['address.line1', 'line1.tooLong']]),
    );
    expect(SupportConsentSchema.safeParse({ agreed: true, purposeKey: 'Bad Key', granted: true }).success).toBe(false);
  });
});
