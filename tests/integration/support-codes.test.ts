import { describe, expect, it } from 'vitest';

import { prisma } from '@/server/platform/db';
import { getAgentCase } from '@/server/support/cases';
import { issueSupportCode, liveSupportCodeExpiry, verifySupportCode } from '@/server/support/codes';

import { uniqueEmail } from './helpers';
import { auditActions, customerInSession, openSession, supportAgent } from './support-helpers';

// The signed-in handoff (docs/decisions/036-support-console.md): codes on real PostgreSQL.

async function codeFor(customer: { id: string; sessionId: string }): Promise<string> {
  const issued = await issueSupportCode(customer);
  if (!issued.ok) throw new Error('no code');
  return issued.code;
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('support codes', () => {
  it('opens a case verified by the code, labelled with the session, and audits it', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const code = await codeFor(customer);
    expect(code).toMatch(/^\d{6}$/);
    expect(await liveSupportCodeExpiry(customer.sessionId)).toBeInstanceOf(Date);

    const result = await verifySupportCode(agent, { email: customer.email, code });
    expect(result.ok).toBe(true);
    const caseId = result.ok ? result.caseId : '';
    const supportCase = await getAgentCase(agent, caseId);
    expect(supportCase).toMatchObject({
      customerId: customer.id,
      agentId: agent.id,
      closedAt: null,
      verification: { method: 'support-code', sessionLabel: 'Chrome on macOS' },
    });
    expect(await auditActions(agent.id)).toEqual(['support.code.verify', 'support.case.open']);
    // The code is kept only as its HMAC.
    const row = await prisma.supportCode.findUniqueOrThrow({ where: { sessionId: customer.sessionId } });
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.codeHash).not.toContain(code);
    expect(await liveSupportCodeExpiry(customer.sessionId)).toBeNull();
  });

  it('is single use', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const code = await codeFor(customer);
    expect((await verifySupportCode(agent, { email: customer.email, code })).ok).toBe(true);
    expect(await verifySupportCode(agent, { email: customer.email, code })).toEqual({ ok: false, reason: 'invalid' });
    expect(await prisma.supportCase.count({ where: { customerId: customer.id } })).toBe(1);
  });

  it('dies after 5 wrong tries: the right code is refused after them', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const code = await codeFor(customer);
    for (let i = 0; i < 5; i++)
      expect(await verifySupportCode(agent, { email: customer.email, code: wrong(code) })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    expect(await verifySupportCode(agent, { email: customer.email, code })).toEqual({ ok: false, reason: 'invalid' });
    expect(await prisma.supportCase.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it('refuses an expired code', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const code = await codeFor(customer);
    await prisma.supportCode.update({
      where: { sessionId: customer.sessionId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await verifySupportCode(agent, { email: customer.email, code })).toEqual({ ok: false, reason: 'invalid' });
  });

  it("refuses a customer's code given with another customer's email, and the code still works for its owner", async () => {
    const agent = await supportAgent();
    const owner = await customerInSession();
    const other = await customerInSession();
    const code = await codeFor(owner);
    expect(await verifySupportCode(agent, { email: other.email, code })).toEqual({ ok: false, reason: 'invalid' });
    expect(await prisma.supportCase.count({ where: { customerId: { in: [owner.id, other.id] } } })).toBe(0);
    expect((await verifySupportCode(agent, { email: owner.email, code })).ok).toBe(true);
  });

  it('answers an unknown email exactly as a wrong code, and audits the failure without the address', async () => {
    const agent = await supportAgent();
    const email = uniqueEmail('nobody');
    expect(await verifySupportCode(agent, { email, code: '123456' })).toEqual({ ok: false, reason: 'invalid' });
    const rows = await prisma.auditLog.findMany({ where: { actorStaffId: agent.id } });
    expect(rows.map((r) => [r.action, r.customerId])).toEqual([['support.code.fail', null]]);
    expect(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(email);
  });

  it('a new code replaces the session’s previous one', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const first = await codeFor(customer);
    let second = await codeFor(customer);
    while (second === first) second = await codeFor(customer);
    expect(await verifySupportCode(agent, { email: customer.email, code: first })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect((await verifySupportCode(agent, { email: customer.email, code: second })).ok).toBe(true);
  });

  it('refuses the code of a session that has ended', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const code = await codeFor(customer);
    await prisma.session.update({ where: { id: customer.sessionId }, data: { expires: new Date(Date.now() - 1000) } });
    expect(await verifySupportCode(agent, { email: customer.email, code })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('holds each session to its own code: two devices, two codes', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    const laptop = await codeFor(customer);
    const phoneSession = await openSession(customer.id);
    await codeFor({ id: customer.id, sessionId: phoneSession });
    expect((await verifySupportCode(agent, { email: customer.email, code: laptop })).ok).toBe(true);
  });

  it('stops an agent after 10 failed codes in an hour, even with the right code', async () => {
    const agent = await supportAgent();
    const customer = await customerInSession();
    for (let i = 0; i < 10; i++) {
      const victim = await customerInSession();
      await verifySupportCode(agent, { email: victim.email, code: '000000' });
    }
    const code = await codeFor(customer);
    const result = await verifySupportCode(agent, { email: customer.email, code });
    expect(result).toMatchObject({ ok: false, reason: 'rate-limited' });
    // Another agent is not held back by the first one's failures.
    expect((await verifySupportCode(await supportAgent(), { email: customer.email, code })).ok).toBe(true);
  });
});
