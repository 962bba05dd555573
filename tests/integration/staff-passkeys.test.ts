import { describe, expect, it, vi } from 'vitest';

import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '@/server/identity/passkeys';
import { prisma } from '@/server/platform/db';
import { finishEnrolment, startEnrolment } from '@/server/staff/enrolment';
import {
  addStaffPasskey,
  removeStaffPasskey,
  signInStaffWithPasskey,
  startStaffAuthentication,
  startStaffRegistration,
  stepUpStaff,
} from '@/server/staff/passkeys';
import { createCustomer, createStaffInvitation, createStaffMember } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { SoftwareAuthenticator } from './software-authenticator';

vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  headers: async () => new Headers({ 'user-agent': 'vitest', [CLIENT_IP_HEADER]: '10.9.9.9' }),
}));
// docs/decisions/033-staff-console.md section 2: staff passkeys verify the user,
// live in their own table, and never cross over to the customers' side.

type Assertion = Parameters<SoftwareAuthenticator['authenticate']>[1];

async function enrolledStaff() {
  const staff = await createStaffMember({ email: uniqueEmail('staff'), roles: ['support-agent'], activated: false });
  const { token } = await createStaffInvitation(staff.id);
  const authenticator = new SoftwareAuthenticator();
  const started = await startEnrolment(token);
  if (!started.ok) throw new Error(started.reason);
  const enrolled = await finishEnrolment(
    { token, ceremonyId: started.ceremonyId, response: authenticator.register(started.options) },
    { passkeyName: 'Laptop', requestId: 'test' },
  );
  if (!enrolled.ok) throw new Error(enrolled.reason);
  return { staff, authenticator };
}

async function signIn(authenticator: SoftwareAuthenticator, opts: Assertion = {}) {
  const { ceremonyId, options } = await startStaffAuthentication('staff-sign-in');
  expect(options.userVerification).toBe('required');
  expect(options.allowCredentials ?? []).toEqual([]);
  return signInStaffWithPasskey(ceremonyId, authenticator.authenticate(options, opts), {
    ip: uniqueIp(),
    requestId: 'test',
  });
}

const signIns = (staffId: string) =>
  prisma.auditLog.count({ where: { actorStaffId: staffId, action: 'staff.sign-in' } });
const sessions = (staffId: string) => prisma.staffSession.count({ where: { staffId } });

describe('a console sign-in', () => {
  it('with a user-verified passkey starts a session and audits it', async () => {
    const { staff, authenticator } = await enrolledStaff();
    const before = { signIns: await signIns(staff.id), sessions: await sessions(staff.id) };
    const result = await signIn(authenticator);
    expect(result).toMatchObject({ ok: true });
    expect(await signIns(staff.id)).toBe(before.signIns + 1);
    expect(await sessions(staff.id)).toBe(before.sessions + 1);
  });

  it('refuses a passkey that only showed presence: no session, no audit row, the counter unmoved', async () => {
    const { staff, authenticator } = await enrolledStaff();
    const before = { signIns: await signIns(staff.id), sessions: await sessions(staff.id) };
    expect(await signIn(authenticator, { userVerified: false })).toEqual({ ok: false, reason: 'not-user-verified' });
    expect(await signIns(staff.id)).toBe(before.signIns);
    expect(await sessions(staff.id)).toBe(before.sessions);
    const passkey = await prisma.staffPasskey.findFirstOrThrow({ where: { staffId: staff.id } });
    expect(passkey.counter).toBe(0n);
    expect(passkey.lastUsedAt).toBeNull();
  });

  it("refuses a disabled member's passkey", async () => {
    const { staff, authenticator } = await enrolledStaff();
    await prisma.staffMember.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
    const before = await signIns(staff.id);
    expect(await signIn(authenticator)).toEqual({ ok: false, reason: 'disabled' });
    expect(await signIns(staff.id)).toBe(before);
  });

  it('refuses a cloned authenticator (the counter went back) and a forged assertion', async () => {
    const { authenticator } = await enrolledStaff();
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    expect(await signIn(authenticator, { counter: 1 })).toEqual({ ok: false, reason: 'cloned' });
    expect(await signIn(authenticator, { forged: true })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('is single use: a replayed response finds no ceremony', async () => {
    const { authenticator } = await enrolledStaff();
    const { ceremonyId, options } = await startStaffAuthentication('staff-sign-in');
    const response = authenticator.authenticate(options);
    const ctx = { ip: uniqueIp(), requestId: 'test' };
    expect(await signInStaffWithPasskey(ceremonyId, response, ctx)).toMatchObject({ ok: true });
    expect(await signInStaffWithPasskey(ceremonyId, response, ctx)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('customer and staff passkeys', () => {
  it("a customer's passkey is unknown to the console, and a customer ceremony cannot be used there", async () => {
    const customer = await createCustomer({ email: uniqueEmail('customer') });
    const authenticator = new SoftwareAuthenticator();
    const registration = await startPasskeyRegistration({ ...customer, firstName: null });
    const added = await finishPasskeyRegistration(
      customer.id,
      registration.ceremonyId,
      authenticator.register(registration.options),
      'Phone',
    );
    expect(added).toMatchObject({ ok: true });
    expect(await signIn(authenticator)).toEqual({ ok: false, reason: 'unknown-passkey' });

    const customerCeremony = await startPasskeyAuthentication('authenticate');
    const crossed = await signInStaffWithPasskey(
      customerCeremony.ceremonyId,
      authenticator.authenticate(customerCeremony.options),
      { ip: uniqueIp(), requestId: 'test' },
    );
    expect(crossed).toEqual({ ok: false, reason: 'expired' });
  });

  it("a staff passkey is unknown to the customers' sign-in, and a staff ceremony cannot be used there", async () => {
    const { authenticator } = await enrolledStaff();
    const { ceremonyId, options } = await startPasskeyAuthentication('authenticate');
    expect(
      await finishPasskeyAuthentication(ceremonyId, authenticator.authenticate(options), { ip: uniqueIp() }),
    ).toEqual({ ok: false, reason: 'unknown-passkey' });
    const staffCeremony = await startStaffAuthentication('staff-sign-in');
    expect(
      await finishPasskeyAuthentication(staffCeremony.ceremonyId, authenticator.authenticate(staffCeremony.options), {
        ip: uniqueIp(),
      }),
    ).toEqual({ ok: false, reason: 'expired' });
  });
});

describe("a member's own passkeys", () => {
  async function signedIn() {
    const enrolled = await enrolledStaff();
    const session = await prisma.staffSession.findFirstOrThrow({
      where: { staffId: enrolled.staff.id },
      select: { id: true },
    });
    return { ...enrolled, member: { id: enrolled.staff.id, email: enrolled.staff.email, sessionId: session.id } };
  }

  it('a step-up takes only a user-verified assertion of their own passkey, and refreshes the session', async () => {
    const { member, authenticator } = await signedIn();
    const other = await enrolledStaff();
    await prisma.staffSession.update({ where: { id: member.sessionId }, data: { authenticatedAt: new Date(0) } });
    const stepUp = async (who: SoftwareAuthenticator, opts: Assertion = {}) => {
      const { ceremonyId, options } = await startStaffAuthentication('staff-step-up', member.id);
      expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
      return stepUpStaff(member, ceremonyId, who.authenticate(options, opts), uniqueIp());
    };
    expect(await stepUp(authenticator, { userVerified: false })).toEqual({ ok: false, reason: 'not-user-verified' });
    expect(await stepUp(other.authenticator)).toEqual({ ok: false, reason: 'unknown-passkey' });
    const stale = await prisma.staffSession.findUniqueOrThrow({ where: { id: member.sessionId } });
    expect(stale.authenticatedAt.getTime()).toBe(0);
    expect(await stepUp(authenticator)).toEqual({ ok: true });
    const fresh = await prisma.staffSession.findUniqueOrThrow({ where: { id: member.sessionId } });
    expect(Date.now() - fresh.authenticatedAt.getTime()).toBeLessThan(60_000);
  });

  it('adds another (UV required, audited), then removes one but never the last', async () => {
    const { member } = await signedIn();
    const second = new SoftwareAuthenticator();
    const unverified = await startStaffRegistration({ ...member, displayName: 'Sam' });
    expect(
      await addStaffPasskey(
        member,
        unverified.ceremonyId,
        second.register(unverified.options, { userVerified: false }),
        {
          name: 'Phone',
          requestId: 'test',
        },
      ),
    ).toEqual({ ok: false, reason: 'not-user-verified' });
    const { ceremonyId, options } = await startStaffRegistration({ ...member, displayName: 'Sam' });
    expect(options.excludeCredentials).toHaveLength(1);
    expect(
      await addStaffPasskey(member, ceremonyId, second.register(options), { name: 'Phone', requestId: 'test' }),
    ).toEqual({ ok: true });
    const passkeys = await prisma.staffPasskey.findMany({
      where: { staffId: member.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(passkeys.map((p) => p.name)).toEqual(['Laptop', 'Phone']);

    const other = await enrolledStaff();
    const othersPasskey = await prisma.staffPasskey.findFirstOrThrow({ where: { staffId: other.staff.id } });
    expect(await removeStaffPasskey(member, othersPasskey.id, 'test')).toEqual({ ok: false, reason: 'not-found' });
    const [a, b] = await Promise.all([
      removeStaffPasskey(member, passkeys[0]!.id, 'test'),
      removeStaffPasskey(member, passkeys[1]!.id, 'test'),
    ]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    expect([a, b].find((r) => !r.ok)).toEqual({ ok: false, reason: 'last-passkey' });
    expect(await prisma.staffPasskey.count({ where: { staffId: member.id } })).toBe(1);
    const audit = await prisma.auditLog.findMany({
      where: { actorStaffId: member.id, action: { startsWith: 'staff.passkey' } },
      select: { action: true },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((r) => r.action)).toEqual(['staff.passkey.enrol', 'staff.passkey.enrol', 'staff.passkey.remove']);
  });
});
