import { describe, expect, it, vi } from 'vitest';

import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { prisma } from '@/server/platform/db';
import { finishEnrolment, startEnrolment } from '@/server/staff/enrolment';
import { createStaffInvitation, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { SoftwareAuthenticator } from './software-authenticator';

vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  headers: async () => new Headers({ 'user-agent': 'vitest', [CLIENT_IP_HEADER]: '10.9.9.9' }),
}));
// docs/decisions/033-staff-console.md section 2: an invitation enrols one passkey, once.

const opts = { passkeyName: 'Test device', requestId: 'test-request' };

async function invited(member: { disabled?: boolean; activated?: boolean } = {}) {
  const staff = await createStaffMember({
    email: uniqueEmail('staff'),
    roles: ['marketer'],
    activated: member.activated ?? false,
    disabled: member.disabled,
  });
  const { token } = await createStaffInvitation(staff.id);
  return { staff, token };
}

async function enrol(token: string, authenticator = new SoftwareAuthenticator(), uv = true) {
  const started = await startEnrolment(token);
  if (!started.ok) return started;
  return finishEnrolment(
    { token, ceremonyId: started.ceremonyId, response: authenticator.register(started.options, { userVerified: uv }) },
    opts,
  );
}

async function writtenFor(staffId: string) {
  const [passkeys, sessions, audit, member, invitations] = await Promise.all([
    prisma.staffPasskey.count({ where: { staffId } }),
    prisma.staffSession.count({ where: { staffId } }),
    prisma.auditLog.findMany({ where: { actorStaffId: staffId }, select: { action: true }, orderBy: { id: 'asc' } }),
    prisma.staffMember.findUniqueOrThrow({ where: { id: staffId }, select: { activatedAt: true } }),
    prisma.staffInvitation.findMany({ where: { staffId }, select: { usedAt: true } }),
  ]);
  return {
    passkeys,
    sessions,
    audit: audit.map((a) => a.action),
    activated: member.activatedAt !== null,
    used: invitations.filter((i) => i.usedAt).length,
  };
}

const NOTHING = { passkeys: 0, sessions: 0, audit: [], activated: false, used: 0 };

describe('enrolling from an invitation', () => {
  it('asks for user verification and a discoverable credential', async () => {
    const { token, staff } = await invited();
    const started = await startEnrolment(token);
    if (!started.ok) throw new Error(started.reason);
    expect(started.options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(started.options.user.name).toBe(`${staff.email} (staff)`);
  });

  it('stores the passkey, activates the member, starts a session and audits both, using the invitation', async () => {
    const { staff, token } = await invited();
    const result = await enrol(token);
    expect(result).toMatchObject({ ok: true, staffId: staff.id });
    if (!result.ok) return;
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await writtenFor(staff.id)).toEqual({
      passkeys: 1,
      sessions: 1,
      audit: ['staff.passkey.enrol', 'staff.sign-in'],
      activated: true,
      used: 1,
    });
  });

  it('refuses a passkey that did not verify the user: nothing written, the invitation still open', async () => {
    const { staff, token } = await invited();
    expect(await enrol(token, new SoftwareAuthenticator(), false)).toEqual({ ok: false, reason: 'not-user-verified' });
    expect(await writtenFor(staff.id)).toEqual(NOTHING);
    expect(await enrol(token)).toMatchObject({ ok: true });
  });

  it('says "used" the second time, at the start and at the finish', async () => {
    const { staff, token } = await invited();
    const second = await startEnrolment(token);
    expect(await enrol(token)).toMatchObject({ ok: true });
    expect(await startEnrolment(token)).toEqual({ ok: false, reason: 'used' });
    if (!second.ok) throw new Error(second.reason);
    const late = await finishEnrolment(
      { token, ceremonyId: second.ceremonyId, response: new SoftwareAuthenticator().register(second.options) },
      opts,
    );
    expect(late).toEqual({ ok: false, reason: 'used' });
    expect((await writtenFor(staff.id)).passkeys).toBe(1);
  });

  it('says "expired" after 24 h, even for a ceremony started before: nothing written', async () => {
    const { staff, token } = await invited();
    const started = await startEnrolment(token);
    if (!started.ok) throw new Error(started.reason);
    await prisma.staffInvitation.updateMany({
      where: { staffId: staff.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await startEnrolment(token)).toEqual({ ok: false, reason: 'expired' });
    const result = await finishEnrolment(
      { token, ceremonyId: started.ceremonyId, response: new SoftwareAuthenticator().register(started.options) },
      opts,
    );
    expect(result).toEqual({ ok: false, reason: 'expired' });
    expect(await writtenFor(staff.id)).toEqual(NOTHING);

    const old = await createStaffMember({ email: uniqueEmail('staff'), roles: ['marketer'], activated: false });
    const { token: stale } = await createStaffInvitation(old.id, { expiresAt: new Date(Date.now() - 60_000) });
    expect(await startEnrolment(stale)).toEqual({ ok: false, reason: 'expired' });
  });

  it('says "revoked" for a replaced invitation and "unknown" for a made-up or malformed token', async () => {
    const { staff, token } = await invited();
    await prisma.staffInvitation.updateMany({ where: { staffId: staff.id }, data: { revokedAt: new Date() } });
    expect(await startEnrolment(token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await startEnrolment('A'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
    expect(await startEnrolment('x'.repeat(10_000))).toEqual({ ok: false, reason: 'unknown' });
    expect(await startEnrolment('')).toEqual({ ok: false, reason: 'unknown' });
    expect(await writtenFor(staff.id)).toEqual(NOTHING);
  });

  it('lets exactly one of two concurrent enrolments with the same invitation through', async () => {
    const { staff, token } = await invited();
    const [a, b] = await Promise.all([startEnrolment(token), startEnrolment(token)]);
    if (!a.ok || !b.ok) throw new Error('both should start');
    const results = await Promise.all([
      finishEnrolment(
        { token, ceremonyId: a.ceremonyId, response: new SoftwareAuthenticator().register(a.options) },
        opts,
      ),
      finishEnrolment(
        { token, ceremonyId: b.ceremonyId, response: new SoftwareAuthenticator().register(b.options) },
        opts,
      ),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'used' });
    expect(await writtenFor(staff.id)).toEqual({
      passkeys: 1,
      sessions: 1,
      audit: ['staff.passkey.enrol', 'staff.sign-in'],
      activated: true,
      used: 1,
    });
  });

  it('refuses a disabled member, before and during the ceremony: nothing written, the invitation unused', async () => {
    const { staff, token } = await invited({ disabled: true });
    expect(await startEnrolment(token)).toEqual({ ok: false, reason: 'disabled' });
    expect(await writtenFor(staff.id)).toEqual(NOTHING);

    const other = await invited();
    const started = await startEnrolment(other.token);
    if (!started.ok) throw new Error(started.reason);
    await prisma.staffMember.update({ where: { id: other.staff.id }, data: { disabledAt: new Date() } });
    const result = await finishEnrolment(
      {
        token: other.token,
        ceremonyId: started.ceremonyId,
        response: new SoftwareAuthenticator().register(started.options),
      },
      opts,
    );
    expect(result).toEqual({ ok: false, reason: 'disabled' });
    expect(await writtenFor(other.staff.id)).toEqual(NOTHING);
  });

  it('adds a replacement passkey for an active member (a lost one) and keeps them active', async () => {
    const { staff, token } = await invited();
    expect(await enrol(token)).toMatchObject({ ok: true });
    const { token: again } = await createStaffInvitation(staff.id);
    expect(await enrol(again)).toMatchObject({ ok: true });
    expect(await writtenFor(staff.id)).toMatchObject({ passkeys: 2, activated: true, used: 2 });
  });
});
