import { describe, expect, it } from 'vitest';

import { prisma } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';
import {
  addCaseNote,
  closeCase,
  getAgentCase,
  listAgentCases,
  listCaseNotes,
  requireOpenCase,
} from '@/server/support/cases';
import { issueSupportCode, verifySupportCode } from '@/server/support/codes';
import {
  decideVerificationRequest,
  getAgentRequest,
  getPendingRequestForCustomer,
  openCaseFromApprovedRequest,
  sendVerificationRequest,
} from '@/server/support/verification';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { auditActions, customerInSession, supportAgent } from './support-helpers';

// Cases and verification requests (docs/decisions/036-support-console.md) on real PostgreSQL.

async function openedCase(agent: StaffActor, customer: { id: string; email: string; sessionId: string }) {
  const issued = await issueSupportCode(customer);
  if (!issued.ok) throw new Error('no code');
  const result = await verifySupportCode(agent, { email: customer.email, code: issued.code });
  if (!result.ok) throw new Error('not verified');
  return result.caseId;
}

describe('requireOpenCase', () => {
  it("lets the agent into their own open case only: not another agent's, not a closed one, not an unknown id", async () => {
    const agent = await supportAgent();
    const colleague = await supportAgent('Colleague');
    const customer = await customerInSession();
    const caseId = await openedCase(agent, customer);

    expect(await requireOpenCase(agent, caseId)).toMatchObject({ ok: true, supportCase: { id: caseId } });
    expect(await requireOpenCase(colleague, caseId)).toEqual({ ok: false, reason: 'not-yours' });
    expect(await requireOpenCase(agent, crypto.randomUUID())).toEqual({ ok: false, reason: 'not-found' });
    expect(await requireOpenCase(agent, "x' OR 1=1 --")).toEqual({ ok: false, reason: 'not-found' });
    expect(await closeCase(agent, caseId)).toBe(true);
    expect(await requireOpenCase(agent, caseId)).toEqual({ ok: false, reason: 'closed' });
  });

  it('drops the session label once the verified session has ended', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const caseId = await openedCase(agent, customer);
    await prisma.session.delete({ where: { id: customer.sessionId } });
    const access = await requireOpenCase(agent, caseId);
    expect(access.ok && access.supportCase.verification.sessionLabel).toBeNull();
  });
});

describe('notes and closing', () => {
  it('keeps notes on an open case, audited, and refuses them on a closed or foreign case without writing', async () => {
    const agent = await supportAgent('Noa Notes');
    const colleague = await supportAgent();
    const customer = await customerInSession();
    const caseId = await openedCase(agent, customer);

    expect(await addCaseNote(agent, caseId, 'Customer asked about a parcel.')).toBe(true);
    expect(await addCaseNote(colleague, caseId, 'not mine')).toBe(false);
    expect(await closeCase(colleague, caseId)).toBe(false);
    expect(await closeCase(agent, caseId)).toBe(true);
    expect(await closeCase(agent, caseId)).toBe(false);
    expect(await addCaseNote(agent, caseId, 'too late')).toBe(false);

    expect((await listCaseNotes(caseId)).map((n) => [n.body, n.authorName])).toEqual([
      ['Customer asked about a parcel.', 'Noa Notes'],
    ]);
    expect(await auditActions(agent.id)).toEqual([
      'support.code.verify',
      'support.case.open',
      'support.case.note',
      'support.case.close',
    ]);
    expect(await auditActions(colleague.id)).toEqual([]);
    // A closed case stays readable to its agent, and to no one else.
    expect((await getAgentCase(agent, caseId))?.closedAt).toBeInstanceOf(Date);
    expect(await getAgentCase(colleague, caseId)).toBeNull();
    const lists = await listAgentCases(agent);
    expect(lists.open.map((c) => c.id)).not.toContain(caseId);
    expect(lists.closed.map((c) => c.id)).toContain(caseId);
  });
});

describe('verification requests', () => {
  it('reaches the customer’s session with a matching number; approval opens one case, once', async () => {
    const agent = await supportAgent('Ada Agent');
    const customer = await customerInSession();
    const sent = await sendVerificationRequest(agent, customer.email);
    if (!sent.ok) throw new Error('not sent');

    const pending = await getPendingRequestForCustomer(customer.id);
    const agentView = await getAgentRequest(agent, sent.requestId);
    expect(pending).toMatchObject({ id: sent.requestId, agentName: 'Ada Agent' });
    expect(pending?.number).toMatch(/^\d{2}$/);
    expect(agentView).toMatchObject({ status: 'pending', number: pending?.number });
    // Not approved yet: no case.
    expect(await openCaseFromApprovedRequest(agent, sent.requestId)).toBeNull();

    // Another customer cannot answer it.
    const stranger = await customerInSession();
    expect(await decideVerificationRequest(stranger, sent.requestId, 'approved')).toBe(false);

    expect(await decideVerificationRequest(customer, sent.requestId, 'approved')).toBe(true);
    expect(await decideVerificationRequest(customer, sent.requestId, 'refused')).toBe(false);
    expect(await openCaseFromApprovedRequest(await supportAgent(), sent.requestId)).toBeNull();
    const caseId = await openCaseFromApprovedRequest(agent, sent.requestId);
    expect(caseId).toBeTruthy();
    expect(await openCaseFromApprovedRequest(agent, sent.requestId)).toBe(caseId);
    expect(await getAgentCase(agent, caseId!)).toMatchObject({
      customerId: customer.id,
      verification: { method: 'portal-approval', sessionLabel: 'Chrome on macOS' },
    });
    expect(await prisma.supportCase.count({ where: { customerId: customer.id } })).toBe(1);
    expect(await auditActions(agent.id)).toEqual(['support.request.send', 'support.case.open']);
  });

  it('a refused or expired request opens nothing', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const refused = await sendVerificationRequest(agent, customer.email);
    if (!refused.ok) throw new Error('not sent');
    expect(await decideVerificationRequest(customer, refused.requestId, 'refused')).toBe(true);
    expect(await openCaseFromApprovedRequest(agent, refused.requestId)).toBeNull();
    expect((await getAgentRequest(agent, refused.requestId))?.status).toBe('refused');

    const late = await sendVerificationRequest(agent, customer.email);
    if (!late.ok) throw new Error('not sent');
    await prisma.supportVerificationRequest.update({
      where: { id: late.requestId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await getPendingRequestForCustomer(customer.id)).toBeNull();
    expect((await getAgentRequest(agent, late.requestId))?.status).toBe('expired');
    expect(await decideVerificationRequest(customer, late.requestId, 'approved')).toBe(false);
    expect(await prisma.supportCase.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it('a newer request replaces the pending one', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const first = await sendVerificationRequest(agent, customer.email);
    const second = await sendVerificationRequest(agent, customer.email);
    if (!first.ok || !second.ok) throw new Error('not sent');
    expect((await getPendingRequestForCustomer(customer.id))?.id).toBe(second.requestId);
    expect(await decideVerificationRequest(customer, first.requestId, 'approved')).toBe(false);
  });

  it('answers an unknown email and a customer without a session alike, writing nothing', async () => {
    const agent = await supportAgent();
    const signedOut = await createCustomer({ email: uniqueEmail('signed-out') });
    expect(await sendVerificationRequest(agent, uniqueEmail('nobody'))).toEqual({ ok: false, reason: 'no-session' });
    expect(await sendVerificationRequest(agent, signedOut.email)).toEqual({ ok: false, reason: 'no-session' });
    expect(await prisma.supportVerificationRequest.count({ where: { agentId: agent.id } })).toBe(0);
    expect(await auditActions(agent.id)).toEqual([]);
  });
});
