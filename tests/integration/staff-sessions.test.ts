import { describe, expect, it } from 'vitest';

import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import {
  endAllStaffSessions,
  findStaffSession,
  STAFF_SESSION_IDLE_MS,
  STAFF_SESSION_MAX_AGE_MS,
} from '@/server/staff/sessions';
import { createStaffMember, createStaffSessionFor } from '@/tests/factories';

const MINUTE = 60 * 1000;

async function sessionExists(token: string): Promise<boolean> {
  return (await prisma.staffSession.count({ where: { tokenHash: sha256(token) } })) === 1;
}

describe('staff sessions', () => {
  it('finds the member of a live session, with their roles', async () => {
    const staff = await createStaffMember({ roles: ['marketer', 'support-agent'] });
    const { token, sessionId } = await createStaffSessionFor(staff.id);
    expect(await findStaffSession(token)).toMatchObject({
      id: staff.id,
      sessionId,
      email: staff.email,
      roles: ['marketer', 'support-agent'],
    });
    expect(await findStaffSession(`${token}x`)).toBeNull();
  });

  it('ends a session 12 hours after sign-in, however active it was', async () => {
    const staff = await createStaffMember({ roles: ['marketer'] });
    const { token } = await createStaffSessionFor(staff.id);
    const justBefore = Date.now() + STAFF_SESSION_MAX_AGE_MS - MINUTE;
    // Active every few minutes all day: still signed in a minute before the end…
    await prisma.staffSession.updateMany({
      where: { tokenHash: sha256(token) },
      data: { lastActiveAt: new Date(justBefore - 5 * MINUTE) },
    });
    expect(await findStaffSession(token, justBefore)).not.toBeNull();
    // …and signed out at it, the row gone.
    expect(await findStaffSession(token, Date.now() + STAFF_SESSION_MAX_AGE_MS + MINUTE)).toBeNull();
    expect(await sessionExists(token)).toBe(false);
  });

  it('ends a session idle for 30 minutes, and keeps one used within them', async () => {
    const staff = await createStaffMember({ roles: ['marketer'] });
    const idle = await createStaffSessionFor(staff.id, { lastActiveAt: new Date(Date.now() - STAFF_SESSION_IDLE_MS) });
    expect(await findStaffSession(idle.token)).toBeNull();
    expect(await sessionExists(idle.token)).toBe(false);

    const recent = await createStaffSessionFor(staff.id, { lastActiveAt: new Date(Date.now() - 29 * MINUTE) });
    expect(await findStaffSession(recent.token)).not.toBeNull();
    // The request counted as activity: 29 minutes later it is still alive.
    expect(await findStaffSession(recent.token, Date.now() + 29 * MINUTE)).not.toBeNull();
  });

  it('signs out a disabled member at their next request', async () => {
    const staff = await createStaffMember({ roles: ['administrator'] });
    const { token } = await createStaffSessionFor(staff.id);
    await prisma.staffMember.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
    expect(await findStaffSession(token)).toBeNull();
    expect(await sessionExists(token)).toBe(false);
  });

  it('ends every session of a member at once', async () => {
    const staff = await createStaffMember({ roles: ['support-agent'] });
    const other = await createStaffMember({ roles: ['support-agent'] });
    const [a, b, kept] = [
      await createStaffSessionFor(staff.id),
      await createStaffSessionFor(staff.id),
      await createStaffSessionFor(other.id),
    ];
    expect(await prisma.$transaction((tx) => endAllStaffSessions(tx, staff.id))).toBe(2);
    expect(await findStaffSession(a.token)).toBeNull();
    expect(await findStaffSession(b.token)).toBeNull();
    expect(await findStaffSession(kept.token)).not.toBeNull();
  });
});
