import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { issueSupportCode } from '@/server/support/codes';
import {
  applyDueRecoveries,
  cancelRecoveryByAgent,
  cancelRecoveryByToken,
  cancelRecoveryForCustomer,
  getHeldRecoveryForCustomer,
  getLatestRecovery,
  MAX_FAILED_PROOFS,
  peekRecoveryCancel,
  proveRecovery,
  sendPhoneCode,
  startRecovery,
  type RecoveryAgent,
} from '@/server/support/recovery';
import { DEV_SMS_SUBJECT } from '@/server/support/sms';
import { createCustomer, createSessionFor, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const HOUR = 3_600_000;

async function setup(opts: { phone?: boolean } = {}) {
  const customer = await createCustomer({ email: uniqueEmail('lost') });
  const phone = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  if (opts.phone !== false) await prisma.customerPhone.create({ data: { customerId: customer.id, e164: phone } });
  // A session opened before the recovery: the caller's known device.
  await createSessionFor(customer.id);
  const session = await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { id: true } });
  await prisma.session.update({
    where: { id: session.id },
    data: { createdAt: new Date(Date.now() - 30 * 86_400_000) },
  });
  const staff = await createStaffMember({ roles: ['support-agent'] });
  const actor: AuditActor = { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-test' };
  const agent: RecoveryAgent = { actor, agentId: staff.id, caseId: randomUUID(), customerId: customer.id };
  return { customer, phone, sessionId: session.id, agent };
}

async function lastText(to: string, subject?: string) {
  const mail = await prisma.devMail.findFirst({
    where: { to, ...(subject ? { subject } : {}) },
    orderBy: { createdAt: 'desc' },
  });
  return mail?.text ?? '';
}
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';
const cancelTokenIn = (text: string) => /\/recovery\/cancel\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

/** Both proofs in: the session's support code, then the SMS code. */
async function proveBoth(s: Awaited<ReturnType<typeof setup>>, recoveryId: string) {
  const issued = await issueSupportCode({ id: s.customer.id, sessionId: s.sessionId });
  if (!issued.ok) throw new Error('no support code');
  expect(await proveRecovery(s.agent, recoveryId, 'session-code', issued.code)).toEqual({ ok: true, held: false });
  expect(await sendPhoneCode(s.agent, recoveryId)).toEqual({ ok: true });
  const sms = await lastText(s.phone, DEV_SMS_SUBJECT);
  return proveRecovery(s.agent, recoveryId, 'phone-code', codeIn(sms));
}

describe('account recovery through support', () => {
  it('needs both proofs, tells every address on file at once, and changes nothing before the hold ends', async () => {
    const s = await setup();
    const newEmail = uniqueEmail('found');
    const started = await startRecovery(s.agent, newEmail);
    if (!started.ok) throw new Error(started.reason);
    expect((await getLatestRecovery(s.customer.id))?.proofs).toEqual([
      { proof: 'session-code', done: false },
      { proof: 'phone-code', done: false },
    ]);
    // The agent alone: nothing held, nothing applied, whatever the clock.
    expect(await applyDueRecoveries(new Date(Date.now() + 1000 * HOUR))).toBe(0);

    expect(await proveBoth(s, started.id)).toEqual({ ok: true, held: true });
    const view = await getLatestRecovery(s.customer.id);
    expect(view?.status).toBe('held');
    const hold = view!.holdUntil!.getTime() - Date.now();
    expect(hold).toBeGreaterThan((getEnv().SUPPORT_RECOVERY_HOLD_HOURS - 0.1) * HOUR);

    const mail = await lastText(s.customer.email);
    expect(mail).toContain('will sign in with');
    expect(mail).not.toContain(newEmail);
    expect(cancelTokenIn(mail)).not.toBe('');
    expect(cancelTokenIn(await lastText(s.phone, DEV_SMS_SUBJECT))).not.toBe('');
    expect(await getHeldRecoveryForCustomer(s.customer.id)).toMatchObject({ id: started.id });

    expect(await applyDueRecoveries()).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: s.customer.id } })).email).toBe(s.customer.email);
    const audit = await prisma.auditLog.findMany({ where: { customerId: s.customer.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toContain('support.recovery.start');
  });

  it('applies after the hold: new address, history and event, every session ended, both addresses and the phone told', async () => {
    const s = await setup();
    const newEmail = uniqueEmail('found');
    const started = await startRecovery(s.agent, newEmail);
    if (!started.ok) throw new Error(started.reason);
    await proveBoth(s, started.id);

    expect(await applyDueRecoveries(new Date(Date.now() + 25 * HOUR))).toBeGreaterThanOrEqual(1);
    const customer = await prisma.user.findUniqueOrThrow({ where: { id: s.customer.id } });
    expect(customer.email).toBe(newEmail);
    expect(await prisma.session.count({ where: { userId: s.customer.id } })).toBe(0);
    expect(
      await prisma.profileChange.findFirst({ where: { customerId: s.customer.id, attribute: 'email' } }),
    ).toMatchObject({ channel: 'support-recovery', newValue: newEmail });
    expect(
      await prisma.outboxEvent.count({ where: { customerId: s.customer.id, type: 'customer.email_changed' } }),
    ).toBe(1);
    expect(await lastText(s.customer.email)).toContain(`now signs in with ${newEmail}`);
    expect(await lastText(newEmail)).toContain(`now signs in with ${newEmail}`);
    expect(await lastText(s.phone, DEV_SMS_SUBJECT)).toContain('was changed');
    expect((await getLatestRecovery(s.customer.id))?.status).toBe('applied');
    // Once: a second run finds nothing to do.
    expect(await applyDueRecoveries(new Date(Date.now() + 25 * HOUR))).toBe(0);
  });

  it('any session of the customer cancels it during the hold; nothing applies afterwards', async () => {
    const s = await setup();
    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    await proveBoth(s, started.id);
    expect(await cancelRecoveryForCustomer(s.customer.id)).toEqual({ ok: true });
    expect(await applyDueRecoveries(new Date(Date.now() + 25 * HOUR))).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: s.customer.id } })).email).toBe(s.customer.email);
    expect(await getLatestRecovery(s.customer.id)).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'customer-session',
    });
    expect(await cancelRecoveryForCustomer(s.customer.id)).toEqual({ ok: false, reason: 'not-found' });
  });

  it("the notice's link cancels it, once; a made-up token cancels nothing", async () => {
    const s = await setup();
    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    await proveBoth(s, started.id);
    const token = cancelTokenIn(await lastText(s.customer.email));
    expect(await cancelRecoveryByToken('x'.repeat(43))).toEqual({ ok: false, reason: 'not-found' });
    expect(await cancelRecoveryByToken('<script>')).toEqual({ ok: false, reason: 'not-found' });
    expect(await peekRecoveryCancel(token)).not.toBeNull();
    expect(await cancelRecoveryByToken(token)).toEqual({ ok: true });
    expect(await peekRecoveryCancel(token)).toBeNull();
    expect(await cancelRecoveryByToken(token)).toEqual({ ok: false, reason: 'not-found' });
    expect(await applyDueRecoveries(new Date(Date.now() + 25 * HOUR))).toBe(0);
    expect(await getLatestRecovery(s.customer.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'notice-link' });
  });

  it('refuses a support code of a session opened after the recovery started, and of another customer', async () => {
    const s = await setup();
    const other = await setup();
    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    // A session the caller opened after the agent started: not a device the account knew before.
    await createSessionFor(s.customer.id);
    const fresh = await prisma.session.findFirstOrThrow({
      where: { userId: s.customer.id, id: { not: s.sessionId } },
      select: { id: true },
    });
    const late = await issueSupportCode({ id: s.customer.id, sessionId: fresh.id });
    if (!late.ok) throw new Error('no code');
    expect(await proveRecovery(s.agent, started.id, 'session-code', late.code)).toEqual({
      ok: false,
      reason: 'wrong-code',
      attemptsLeft: MAX_FAILED_PROOFS - 1,
    });
    const others = await issueSupportCode({ id: other.customer.id, sessionId: other.sessionId });
    if (!others.ok) throw new Error('no code');
    expect(await proveRecovery(s.agent, started.id, 'session-code', others.code)).toMatchObject({
      reason: 'wrong-code',
    });
    // The other customer's code is still good for them: it was not spent.
    expect(
      await prisma.supportCode.findFirst({ where: { customerId: other.customer.id, usedAt: null } }),
    ).not.toBeNull();
    expect((await getLatestRecovery(s.customer.id))?.proofs[0]).toEqual({ proof: 'session-code', done: false });
  });

  it('five wrong codes kill the recovery; it never holds nor applies', async () => {
    const s = await setup();
    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    expect(await sendPhoneCode(s.agent, started.id)).toEqual({ ok: true });
    const code = codeIn(await lastText(s.phone, DEV_SMS_SUBJECT));
    for (let i = 1; i < MAX_FAILED_PROOFS; i += 1)
      expect(await proveRecovery(s.agent, started.id, 'phone-code', wrong(code))).toMatchObject({
        reason: 'wrong-code',
      });
    expect(await proveRecovery(s.agent, started.id, 'phone-code', wrong(code))).toEqual({
      ok: false,
      reason: 'failed',
    });
    // Even the right code is too late now.
    expect(await proveRecovery(s.agent, started.id, 'phone-code', code)).toEqual({ ok: false, reason: 'not-found' });
    expect((await getLatestRecovery(s.customer.id))?.status).toBe('failed');
  });

  it('with no phone on file, the brand’s other proof is required alone; no SMS goes anywhere', async () => {
    const s = await setup({ phone: false });
    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    expect((await getLatestRecovery(s.customer.id))?.proofs).toEqual([{ proof: 'session-code', done: false }]);
    expect(await sendPhoneCode(s.agent, started.id)).toEqual({ ok: false, reason: 'not-found' });
    const issued = await issueSupportCode({ id: s.customer.id, sessionId: s.sessionId });
    if (!issued.ok) throw new Error('no code');
    expect(await proveRecovery(s.agent, started.id, 'session-code', issued.code)).toEqual({ ok: true, held: true });
  });

  it('bad input: a clear refusal and nothing written', async () => {
    const s = await setup();
    expect(await startRecovery(s.agent, 'not an email')).toEqual({ ok: false, reason: 'invalid-email' });
    expect(await startRecovery(s.agent, 'x'.repeat(300) + '@example.test')).toEqual({
      ok: false,
      reason: 'invalid-email',
    });
    expect(await startRecovery(s.agent, 42)).toEqual({ ok: false, reason: 'invalid-email' });
    expect(await startRecovery(s.agent, s.customer.email.toUpperCase())).toEqual({ ok: false, reason: 'same-address' });
    const someoneElse = await createCustomer({ email: uniqueEmail('taken') });
    expect(await startRecovery(s.agent, someoneElse.email)).toEqual({ ok: false, reason: 'address-taken' });
    expect(await prisma.supportRecovery.count({ where: { customerId: s.customer.id } })).toBe(0);

    const started = await startRecovery(s.agent, uniqueEmail('found'));
    if (!started.ok) throw new Error(started.reason);
    expect(await startRecovery(s.agent, uniqueEmail('again'))).toEqual({ ok: false, reason: 'already-open' });
    expect(await proveRecovery(s.agent, 'not-a-uuid', 'phone-code', '123456')).toEqual({
      ok: false,
      reason: 'not-found',
    });
    expect(await proveRecovery(s.agent, started.id, 'phone-code', '12345')).toEqual({ ok: false, reason: 'not-found' });
    // Another customer's recovery id, through this case's customer: not found, nothing counted.
    const other = await setup();
    const theirs = await startRecovery(other.agent, uniqueEmail('found'));
    if (!theirs.ok) throw new Error(theirs.reason);
    expect(await proveRecovery(s.agent, theirs.id, 'phone-code', '123456')).toEqual({ ok: false, reason: 'not-found' });
    expect(await sendPhoneCode(s.agent, theirs.id)).toEqual({ ok: false, reason: 'not-found' });
    expect(await getLatestRecovery(other.customer.id)).toMatchObject({ attemptsLeft: MAX_FAILED_PROOFS });
    expect(await prisma.devMail.count({ where: { to: other.phone } })).toBe(0);

    expect(await sendPhoneCode(s.agent, started.id)).toEqual({ ok: true });
    expect(await sendPhoneCode(s.agent, started.id)).toEqual({ ok: false, reason: 'too-soon' });
    expect(await cancelRecoveryByAgent(s.agent)).toEqual({ ok: true });
    expect(await getLatestRecovery(s.customer.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'agent' });
  });
});
