import 'server-only';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { isRole, type Role } from '@/lib/staff-roles';
import { InviteStaffSchema, type InviteStaffInput } from '@/lib/validation/staff';
import { deliverNow } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { staffInvitationMail } from './invitation-mail';
import { endAllStaffSessions } from './sessions';

// Staff management: invitations, roles, disabling, passkey removal
// (docs/decisions/033-staff-console.md, sections 2 and 3). Each change is one
// transaction with its audit row; role changes and disabling lock the active
// administrators first, so no two concurrent changes can leave none.

export const STAFF_INVITATION_TTL_MS = 24 * 60 * 60 * 1000;

export type StaffStatus = 'invited' | 'active' | 'disabled';

export type StaffListItem = {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  status: StaffStatus;
  lastSignInAt: Date | null;
};

export type StaffDetail = StaffListItem & {
  version: number;
  locale: Locale;
  passkeys: Array<{ id: string; name: string; createdAt: Date; lastUsedAt: Date | null }>;
  /** The open invitation's expiry, when one is waiting to be used. */
  invitationExpiresAt: Date | null;
};

export type StaffChangeResult =
  { ok: true; version: number } | { ok: false; reason: 'not-found' | 'conflict' | 'last-administrator' | 'self' };

export type InviteResult =
  | {
      ok: true;
      staffId: string;
      created: boolean;
      expiresAt: Date;
      /** sent: SMTP took it; queued: the worker retries it; dev-mailbox: no SMTP_URL, see /dev/mailbox. */
      mail: 'sent' | 'queued' | 'dev-mailbox';
    }
  | { ok: false; reason: 'invalid'; fieldErrors: Record<string, string> }
  | { ok: false; reason: 'disabled' | 'last-administrator' };

const statusOf = (m: { activatedAt: Date | null; disabledAt: Date | null }): StaffStatus =>
  m.disabledAt ? 'disabled' : m.activatedAt ? 'active' : 'invited';

const rolesOf = (roles: readonly string[]): Role[] => roles.filter(isRole);

type MemberRow = {
  id: string;
  email: string;
  display_name: string;
  roles: string[];
  locale: string;
  disabled_at: Date | null;
  version: number;
};

/**
 * Locks the active administrators, in id order, FIRST in every transaction that
 * may remove one (so two changes never lock in opposite orders). A transaction
 * that waited here re-reads the rows a concurrent change committed (READ
 * COMMITTED re-checks the WHERE of a row it had to wait for): the second of two
 * demotions sees one administrator left.
 */
async function lockActiveAdministrators(tx: Tx): Promise<string[]> {
  const admins = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM staff_members WHERE 'administrator' = ANY(roles) AND disabled_at IS NULL
    ORDER BY id FOR UPDATE`;
  return admins.map((a) => a.id);
}

async function lockMember(tx: Tx, where: { id: string } | { email: string }): Promise<MemberRow | null> {
  const rows =
    'id' in where
      ? await tx.$queryRaw<MemberRow[]>`
          SELECT id, email, display_name, roles, locale, disabled_at, version
          FROM staff_members WHERE id = ${where.id}::uuid FOR UPDATE`
      : await tx.$queryRaw<MemberRow[]>`
          SELECT id, email, display_name, roles, locale, disabled_at, version
          FROM staff_members WHERE email = ${where.email} FOR UPDATE`;
  return rows[0] ?? null;
}

/** Whether giving `member` these roles, or disabling them, would leave no active administrator. */
function removesLastAdministrator(admins: string[], member: MemberRow, next: readonly string[] | 'disabled'): boolean {
  const staysAdmin = next !== 'disabled' && next.includes('administrator');
  return !staysAdmin && admins.length === 1 && admins[0] === member.id;
}

/**
 * Invites a member, or sends an existing one a new invitation (a lost passkey):
 * their open invitation is revoked, the new one mailed. An existing member's
 * roles are replaced by those given (the console's and the CLI's callers are
 * administrators); their name stays. The link's token is only in the mail.
 */
export async function inviteStaff(
  input: Record<keyof InviteStaffInput, unknown>,
  actor: AuditActor,
): Promise<InviteResult> {
  const parsed = InviteStaffSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? 'form')] ??= issue.message;
    return { ok: false, reason: 'invalid', fieldErrors };
  }
  const { email, displayName, locale } = parsed.data;
  const roles = [...parsed.data.roles];
  const outcome = await prisma.$transaction(async (tx) => {
    const admins = await lockActiveAdministrators(tx);
    // ON CONFLICT: two invitations of one new address at once make one member, and
    // the second waits here for the first to commit, then locks the row below.
    const inserted = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO staff_members (id, email, display_name, roles, locale, updated_at)
      VALUES (gen_random_uuid(), ${email}, ${displayName}, ${roles}::text[], ${locale}, now())
      ON CONFLICT (email) DO NOTHING RETURNING id`;
    const created = inserted.length === 1;
    const member = (await lockMember(tx, { email }))!;
    if (member.disabled_at) return { ok: false as const, reason: 'disabled' as const };
    if (!created && !sameRoles(member.roles, roles)) {
      if (removesLastAdministrator(admins, member, roles))
        return { ok: false as const, reason: 'last-administrator' as const };
      await tx.staffMember.update({ where: { id: member.id }, data: { roles, version: { increment: 1 } } });
    }
    const invitation = await openInvitation(tx, member.id, actor);
    const mail = await staffInvitationMail({
      to: member.email,
      locale: isLocale(member.locale) ? member.locale : 'en',
      name: member.display_name,
      link: `${getEnv().APP_URL}/console/invitation#${invitation.token}`,
      expiresAt: invitation.expiresAt,
    });
    const mailId = await enqueueMail(tx, {
      ...mail,
      key: `staff-invitation:${invitation.id}`,
      purpose: 'staff-invitation',
      expiresAt: invitation.expiresAt,
    });
    await writeAudit(tx, actor, {
      action: 'staff.invite',
      objectId: member.id,
      details: { roles, created, ...(created ? {} : { previousRoles: member.roles }) },
    });
    return { ok: true as const, staffId: member.id, created, expiresAt: invitation.expiresAt, mailId };
  });
  if (!outcome.ok) return outcome;
  const { mailId, ...result } = outcome;
  const mail = mailId === null ? 'dev-mailbox' : await deliverNow([mailId]);
  return { ...result, mail };
}

/** A new invitation for an existing member (a lost passkey), their roles unchanged. */
export async function reinviteStaff(staffId: string, actor: AuditActor): Promise<InviteResult | null> {
  const member = await prisma.staffMember.findUnique({
    where: { id: staffId },
    select: { email: true, displayName: true, roles: true, locale: true },
  });
  if (!member) return null;
  return inviteStaff(
    {
      email: member.email,
      displayName: member.displayName,
      roles: rolesOf(member.roles),
      locale: isLocale(member.locale) ? member.locale : 'en',
    },
    actor,
  );
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((role) => b.includes(role));
}

/** Revokes the member's open invitation and inserts a new one; the token leaves only in the mail. */
async function openInvitation(tx: Tx, staffId: string, actor: AuditActor) {
  await tx.staffInvitation.updateMany({
    where: { staffId, usedAt: null, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  const token = randomToken();
  const expiresAt = new Date(Date.now() + STAFF_INVITATION_TTL_MS);
  const { id } = await tx.staffInvitation.create({
    data: {
      tokenHash: sha256(token),
      staffId,
      invitedBy: actor.type === 'staff' ? actor.staffId : null,
      expiresAt,
    },
    select: { id: true },
  });
  return { id, token, expiresAt };
}

const LIST_SELECT = `
  m.id, m.email, m.display_name, m.roles, m.activated_at, m.disabled_at,
  (SELECT max(a.occurred_at) FROM audit_log a
    WHERE a.actor_staff_id = m.id AND a.action = 'staff.sign-in') AS last_sign_in_at`;

type ListRow = {
  id: string;
  email: string;
  display_name: string;
  roles: string[];
  activated_at: Date | null;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
};

const toListItem = (row: ListRow): StaffListItem => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  roles: rolesOf(row.roles),
  status: statusOf({ activatedAt: row.activated_at, disabledAt: row.disabled_at }),
  lastSignInAt: row.last_sign_in_at,
});

/** Every member, by name: members are never deleted, only disabled. */
export async function listStaff(): Promise<StaffListItem[]> {
  const rows = await prisma.$queryRawUnsafe<ListRow[]>(
    `SELECT ${LIST_SELECT} FROM staff_members m ORDER BY lower(m.display_name), m.email`,
  );
  return rows.map(toListItem);
}

export async function getStaffMember(staffId: string): Promise<StaffDetail | null> {
  const rows = await prisma.$queryRawUnsafe<Array<ListRow & { version: number; locale: string }>>(
    `SELECT ${LIST_SELECT}, m.version, m.locale FROM staff_members m WHERE m.id = $1::uuid`,
    staffId,
  );
  const row = rows[0];
  if (!row) return null;
  const [passkeys, invitation] = await Promise.all([
    prisma.staffPasskey.findMany({
      where: { staffId },
      orderBy: { createdAt: 'asc' },
      select: { id: true, name: true, createdAt: true, lastUsedAt: true },
    }),
    prisma.staffInvitation.findFirst({
      where: { staffId, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { expiresAt: true },
    }),
  ]);
  return {
    ...toListItem(row),
    version: row.version,
    locale: isLocale(row.locale) ? row.locale : 'en',
    passkeys,
    invitationExpiresAt: invitation?.expiresAt ?? null,
  };
}

/**
 * Replaces a member's roles if the page that asked still showed `expectedVersion`.
 * Refuses to leave no active administrator.
 */
export async function changeRoles(
  staffId: string,
  roles: readonly Role[],
  expectedVersion: number,
  actor: AuditActor,
): Promise<StaffChangeResult> {
  return prisma.$transaction(async (tx) => {
    const admins = await lockActiveAdministrators(tx);
    const member = await lockMember(tx, { id: staffId });
    if (!member) return { ok: false, reason: 'not-found' };
    if (member.version !== expectedVersion) return { ok: false, reason: 'conflict' };
    if (removesLastAdministrator(admins, member, roles)) return { ok: false, reason: 'last-administrator' };
    const { version } = await tx.staffMember.update({
      where: { id: staffId },
      data: { roles: [...roles], version: { increment: 1 } },
      select: { version: true },
    });
    await writeAudit(tx, actor, {
      action: 'staff.roles.change',
      objectId: staffId,
      details: { roles: [...roles], previousRoles: member.roles },
    });
    return { ok: true, version };
  });
}

/**
 * Disables a member: their sessions end in the same transaction (each fails at
 * its next request) and their open invitation is revoked. Nobody disables themself.
 */
export async function disableStaff(
  staffId: string,
  expectedVersion: number,
  actor: AuditActor,
): Promise<StaffChangeResult> {
  if (actor.type === 'staff' && actor.staffId === staffId) return { ok: false, reason: 'self' };
  return prisma.$transaction(async (tx) => {
    const admins = await lockActiveAdministrators(tx);
    const member = await lockMember(tx, { id: staffId });
    if (!member) return { ok: false, reason: 'not-found' };
    if (member.version !== expectedVersion || member.disabled_at) return { ok: false, reason: 'conflict' };
    if (removesLastAdministrator(admins, member, 'disabled')) return { ok: false, reason: 'last-administrator' };
    const { version } = await tx.staffMember.update({
      where: { id: staffId },
      data: { disabledAt: new Date(), version: { increment: 1 } },
      select: { version: true },
    });
    const sessions = await endAllStaffSessions(tx, staffId);
    await tx.staffInvitation.updateMany({
      where: { staffId, usedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await writeAudit(tx, actor, { action: 'staff.disable', objectId: staffId, details: { sessionsEnded: sessions } });
    return { ok: true, version };
  });
}

export async function enableStaff(
  staffId: string,
  expectedVersion: number,
  actor: AuditActor,
): Promise<StaffChangeResult> {
  return prisma.$transaction(async (tx) => {
    const member = await lockMember(tx, { id: staffId });
    if (!member) return { ok: false, reason: 'not-found' };
    if (member.version !== expectedVersion || !member.disabled_at) return { ok: false, reason: 'conflict' };
    const { version } = await tx.staffMember.update({
      where: { id: staffId },
      data: { disabledAt: null, version: { increment: 1 } },
      select: { version: true },
    });
    await writeAudit(tx, actor, { action: 'staff.enable', objectId: staffId });
    return { ok: true, version };
  });
}

/**
 * Removes one of the member's passkeys and ends their sessions (whoever holds
 * the device is signed out). A lost passkey is replaced through a new invitation.
 */
export async function removeStaffPasskey(
  staffId: string,
  passkeyId: string,
  actor: AuditActor,
): Promise<{ ok: true } | { ok: false; reason: 'not-found' }> {
  return prisma.$transaction(async (tx) => {
    const removed = await tx.staffPasskey.deleteMany({ where: { id: passkeyId, staffId } });
    if (removed.count === 0) return { ok: false, reason: 'not-found' };
    const sessions = await endAllStaffSessions(tx, staffId);
    await writeAudit(tx, actor, {
      action: 'staff.passkey.remove',
      objectId: staffId,
      details: { passkeyId, sessionsEnded: sessions },
    });
    return { ok: true };
  });
}
