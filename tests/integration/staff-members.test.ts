import { setTimeout as sleep } from 'node:timers/promises';

import { beforeEach, describe, expect, it } from 'vitest';

import type { AuditActor } from '@/server/platform/audit';
import { sha256 } from '@/server/platform/crypto';
import { getPool, prisma } from '@/server/platform/db';
import {
  changeRoles,
  disableStaff,
  enableStaff,
  getStaffMember,
  inviteStaff,
  listStaff,
  removeStaffPasskey,
} from '@/server/staff/members';
import { createStaffMember, createStaffSessionFor } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const cli: AuditActor = { type: 'cli', label: 'cli:test' };
const asStaff = (staffId: string): AuditActor => ({ type: 'staff', staffId, label: 'admin', requestId: 'req-test' });

/** The invitation mail (no SMTP_URL in these tests: kept in dev_mails) and the token its link carries. */
async function invitationMailTo(email: string) {
  const mail = await prisma.devMail.findFirstOrThrow({ where: { to: email }, orderBy: { createdAt: 'desc' } });
  const token = /\/console\/invitation#([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no invitation link in the mail to ${email}`);
  return { mail, token };
}

async function auditRows(objectId: string) {
  return prisma.auditLog.findMany({ where: { objectId }, orderBy: { id: 'asc' } });
}

/** Only these administrators are active: the rule counts every member of this worker's database. */
async function onlyAdministrators(...ids: string[]) {
  await prisma.staffMember.updateMany({
    where: { roles: { has: 'administrator' }, disabledAt: null, id: { notIn: ids } },
    data: { disabledAt: new Date() },
  });
}

describe('inviting staff', () => {
  it('creates the member, one open invitation (hash only), the mail with the fragment link, and the audit row', async () => {
    const email = uniqueEmail('invitee');
    const result = await inviteStaff(
      { email: email.toUpperCase(), displayName: 'Camille Marketer', roles: ['marketer'], locale: 'fr' },
      cli,
    );
    expect(result).toMatchObject({ ok: true, created: true, mail: 'dev-mailbox' });
    if (!result.ok) return;
    const member = await prisma.staffMember.findUniqueOrThrow({ where: { email } });
    expect(member).toMatchObject({ id: result.staffId, roles: ['marketer'], locale: 'fr', activatedAt: null });

    const { mail, token } = await invitationMailTo(email);
    expect(mail.subject).toBe('Votre invitation à la console du personnel');
    expect(mail.text).toContain('http://localhost:3000/console/invitation#');
    expect(mail.text).toMatch(/24 heures/);
    const invitations = await prisma.staffInvitation.findMany({ where: { staffId: member.id } });
    expect(invitations).toHaveLength(1);
    expect(invitations[0]).toMatchObject({ tokenHash: sha256(token), invitedBy: null, usedAt: null, revokedAt: null });
    const ttl = invitations[0]!.expiresAt.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(23.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000);

    const audit = await auditRows(member.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'staff.invite',
      actorType: 'cli',
      actorLabel: 'cli:test',
      objectType: 'staff',
      details: { roles: ['marketer'], created: true },
    });
    expect(JSON.stringify(audit[0], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
  });

  it('re-inviting revokes the open invitation, keeps one open, and replaces the roles only when asked', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    const email = uniqueEmail('lost-passkey');
    const first = await inviteStaff({ email, displayName: 'Sam', roles: ['support-agent'], locale: 'en' }, cli);
    if (!first.ok) throw new Error('not invited');
    const { token: firstToken } = await invitationMailTo(email);

    const again = await inviteStaff(
      { email, displayName: 'Another Name', roles: ['support-agent'], locale: 'en' },
      asStaff(admin.id),
    );
    expect(again).toMatchObject({ ok: true, created: false, staffId: first.staffId });
    const { token: secondToken } = await invitationMailTo(email);
    expect(secondToken).not.toBe(firstToken);
    const invitations = await prisma.staffInvitation.findMany({
      where: { staffId: first.staffId },
      orderBy: { createdAt: 'asc' },
    });
    expect(invitations.map((i) => [i.tokenHash, i.revokedAt === null, i.invitedBy])).toEqual([
      [sha256(firstToken), false, null],
      [sha256(secondToken), true, admin.id],
    ]);
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: first.staffId } })).toMatchObject({
      displayName: 'Sam',
      roles: ['support-agent'],
      version: 1,
    });

    await inviteStaff({ email, displayName: 'Sam', roles: ['privacy-officer'], locale: 'en' }, asStaff(admin.id));
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: first.staffId } })).toMatchObject({
      roles: ['privacy-officer'],
      version: 2,
    });
  });

  it('refuses a forged role, an over-long or HTML value with field errors, and writes nothing', async () => {
    const before = await Promise.all([prisma.staffMember.count(), prisma.auditLog.count(), prisma.devMail.count()]);
    for (const [input, field] of [
      [{ email: uniqueEmail(), displayName: 'A', roles: ['superuser'], locale: 'en' }, 'roles'],
      [{ email: uniqueEmail(), displayName: 'A', roles: [], locale: 'en' }, 'roles'],
      [{ email: uniqueEmail(), displayName: 'A', roles: 'administrator', locale: 'en' }, 'roles'],
      [
        { email: uniqueEmail(), displayName: '<script>alert(1)</script>', roles: ['marketer'], locale: 'en' },
        'displayName',
      ],
      [{ email: uniqueEmail(), displayName: 'x'.repeat(10_000), roles: ['marketer'], locale: 'en' }, 'displayName'],
      [{ email: '<script>@example.test', displayName: 'A', roles: ['marketer'], locale: 'en' }, 'email'],
      [{ email: `${'x'.repeat(10_000)}@example.test`, displayName: 'A', roles: ['marketer'], locale: 'en' }, 'email'],
    ] as const) {
      const result = await inviteStaff(input, cli);
      expect(result.ok, JSON.stringify(input).slice(0, 80)).toBe(false);
      if (!result.ok && result.reason === 'invalid') expect(Object.keys(result.fieldErrors)).toEqual([field]);
    }
    expect(await Promise.all([prisma.staffMember.count(), prisma.auditLog.count(), prisma.devMail.count()])).toEqual(
      before,
    );
  });

  it('refuses to invite a disabled member again', async () => {
    const member = await createStaffMember({ roles: ['marketer'], disabled: true });
    expect(
      await inviteStaff({ email: member.email, displayName: 'X', roles: ['marketer'], locale: 'en' }, cli),
    ).toEqual({ ok: false, reason: 'disabled' });
    expect(await prisma.staffInvitation.count({ where: { staffId: member.id } })).toBe(0);
  });

  it('lists members with their status and last sign-in', async () => {
    const active = await createStaffMember({ roles: ['marketer'] });
    const disabled = await createStaffMember({ roles: ['marketer'], disabled: true });
    const invited = await createStaffMember({ roles: ['marketer'], activated: false });
    await prisma.$transaction((tx) =>
      tx.auditLog.create({
        data: { actorType: 'staff', actorStaffId: active.id, actorLabel: active.email, action: 'staff.sign-in' },
      }),
    );
    const all = await listStaff();
    const byId = new Map(all.map((m) => [m.id, m]));
    expect(byId.get(active.id)).toMatchObject({ status: 'active', roles: ['marketer'] });
    expect(byId.get(active.id)?.lastSignInAt).toBeInstanceOf(Date);
    expect(byId.get(disabled.id)).toMatchObject({ status: 'disabled', lastSignInAt: null });
    expect(byId.get(invited.id)).toMatchObject({ status: 'invited' });
  });
});

describe('changing roles', () => {
  it('replaces the roles against the version the page showed, and audits old and new', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    const member = await createStaffMember({ roles: ['marketer'] });
    expect(await changeRoles(member.id, ['marketer', 'support-agent'], 1, asStaff(admin.id))).toEqual({
      ok: true,
      version: 2,
    });
    const rows = await auditRows(member.id);
    expect(rows.at(-1)).toMatchObject({
      action: 'staff.roles.change',
      actorStaffId: admin.id,
      requestId: 'req-test',
      details: { roles: ['marketer', 'support-agent'], previousRoles: ['marketer'] },
    });
  });

  it('refuses a stale version: nothing overwritten, nothing audited', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    const member = await createStaffMember({ roles: ['marketer'] });
    await changeRoles(member.id, ['support-agent'], 1, asStaff(admin.id));
    expect(await changeRoles(member.id, ['privacy-officer'], 1, asStaff(admin.id))).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await disableStaff(member.id, 1, asStaff(admin.id))).toEqual({ ok: false, reason: 'conflict' });
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({
      roles: ['support-agent'],
      disabledAt: null,
      version: 2,
    });
    expect((await auditRows(member.id)).map((r) => r.action)).toEqual(['staff.roles.change']);
  });

  it('never demotes or disables the last active administrator', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    await onlyAdministrators(admin.id);
    expect(await changeRoles(admin.id, ['marketer'], 1, cli)).toEqual({ ok: false, reason: 'last-administrator' });
    expect(await disableStaff(admin.id, 1, cli)).toEqual({ ok: false, reason: 'last-administrator' });
    expect(await inviteStaff({ email: admin.email, displayName: 'X', roles: ['marketer'], locale: 'en' }, cli)).toEqual(
      { ok: false, reason: 'last-administrator' },
    );
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({
      roles: ['administrator'],
      disabledAt: null,
      version: 1,
    });
    // Another role beside administrator is no demotion.
    expect(await changeRoles(admin.id, ['administrator', 'marketer'], 1, cli)).toEqual({ ok: true, version: 2 });
  });

  it.each([
    ['two demotions', 'demote', 'demote'],
    ['a demotion and a disabling', 'demote', 'disable'],
    ['two disablings', 'disable', 'disable'],
  ] as const)('keeps one administrator when %s of the last two race', async (_name, first, second) => {
    const a = await createStaffMember({ roles: ['administrator'] });
    const b = await createStaffMember({ roles: ['administrator'] });
    await onlyAdministrators(a.id, b.id);
    const act = (kind: 'demote' | 'disable', id: string) =>
      kind === 'demote' ? changeRoles(id, ['marketer'], 1, cli) : disableStaff(id, 1, cli);

    // Hold the administrators' locks so that both changes start, read the same two
    // administrators, and queue behind them; then let them run one after the other.
    const holder = await getPool().connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        "SELECT id FROM staff_members WHERE 'administrator' = ANY(roles) AND disabled_at IS NULL FOR UPDATE",
      );
      const results = Promise.all([act(first, a.id), act(second, b.id)]);

      for (let i = 0; ; i++) {
        // From another connection: pg_stat_activity is a snapshot per transaction.
        const { rows } = await getPool().query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%staff_members%'`,
        );
        if (rows[0]!.waiting === 2) break;
        if (i > 200) throw new Error('the two changes never queued behind the lock');
        await sleep(25);
      }
      await holder.query('COMMIT');
      const outcomes = await results;
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, reason: 'last-administrator' }]);
    } finally {
      holder.release();
    }
    const active = await prisma.staffMember.count({
      where: { id: { in: [a.id, b.id] }, roles: { has: 'administrator' }, disabledAt: null },
    });
    expect(active).toBe(1);
  });
});

describe('disabling and enabling', () => {
  beforeEach(async () => {
    // An administrator outside the tests below, so none of them is the last.
    await createStaffMember({ roles: ['administrator'] });
  });

  it('ends every session of the member and revokes their open invitation, in the same transaction', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    const member = await createStaffMember({ roles: ['support-agent'] });
    await createStaffSessionFor(member.id);
    await createStaffSessionFor(member.id);
    const other = await createStaffSessionFor(admin.id);
    await inviteStaff({ email: member.email, displayName: 'X', roles: ['support-agent'], locale: 'en' }, cli);

    expect(await disableStaff(member.id, 1, asStaff(admin.id))).toEqual({ ok: true, version: 2 });
    expect(await prisma.staffSession.count({ where: { staffId: member.id } })).toBe(0);
    expect(await prisma.staffSession.count({ where: { id: other.sessionId } })).toBe(1);
    expect(await prisma.staffInvitation.count({ where: { staffId: member.id, usedAt: null, revokedAt: null } })).toBe(
      0,
    );
    expect((await auditRows(member.id)).at(-1)).toMatchObject({
      action: 'staff.disable',
      details: { sessionsEnded: 2 },
    });
    expect((await getStaffMember(member.id))?.status).toBe('disabled');

    expect(await enableStaff(member.id, 1, asStaff(admin.id))).toEqual({ ok: false, reason: 'conflict' });
    expect(await enableStaff(member.id, 2, asStaff(admin.id))).toEqual({ ok: true, version: 3 });
    expect((await auditRows(member.id)).at(-1)).toMatchObject({ action: 'staff.enable' });
  });

  it('an administrator cannot disable themself', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    expect(await disableStaff(admin.id, 1, asStaff(admin.id))).toEqual({ ok: false, reason: 'self' });
    expect((await prisma.staffMember.findUniqueOrThrow({ where: { id: admin.id } })).disabledAt).toBeNull();
  });

  it('removing a passkey ends the member’s sessions; another member’s passkey id changes nothing', async () => {
    const admin = await createStaffMember({ roles: ['administrator'] });
    const member = await createStaffMember({ roles: ['marketer'] });
    const stranger = await createStaffMember({ roles: ['marketer'] });
    const passkey = (staffId: string) =>
      prisma.staffPasskey.create({
        data: {
          staffId,
          credentialId: `cred-${crypto.randomUUID()}`,
          publicKey: Buffer.from('key'),
          deviceType: 'singleDevice',
          backedUp: false,
          name: 'Laptop',
        },
      });
    const own = await passkey(member.id);
    const strangers = await passkey(stranger.id);
    await createStaffSessionFor(member.id);
    await createStaffSessionFor(stranger.id);

    expect(await removeStaffPasskey(member.id, strangers.id, asStaff(admin.id))).toEqual({
      ok: false,
      reason: 'not-found',
    });
    expect(await prisma.staffPasskey.count({ where: { id: strangers.id } })).toBe(1);
    expect(await prisma.staffSession.count({ where: { staffId: stranger.id } })).toBe(1);

    expect(await removeStaffPasskey(member.id, own.id, asStaff(admin.id))).toEqual({ ok: true });
    expect(await prisma.staffPasskey.count({ where: { staffId: member.id } })).toBe(0);
    expect(await prisma.staffSession.count({ where: { staffId: member.id } })).toBe(0);
    expect((await auditRows(member.id)).at(-1)).toMatchObject({
      action: 'staff.passkey.remove',
      details: { passkeyId: own.id },
    });
  });
});
