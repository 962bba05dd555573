import 'server-only';

import { cache } from 'react';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { deleteStaffSessionCookie, readStaffSessionToken } from '@/server/platform/cookies';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { getPool, prisma, type Tx } from '@/server/platform/db';
import { getRequestContext, ipPrefix } from '@/server/platform/request-context';

import { isRole, type Role } from './permissions';

// Console sessions: a small module of our own rather than a second Auth.js
// instance (docs/decisions/033-staff-console.md, section 1). The cookie holds a
// random token; the row its SHA-256. A session lasts at most 12 h from sign-in
// and ends after 30 min without a request.

export const STAFF_SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;
export const STAFF_SESSION_IDLE_MS = 30 * 60 * 1000;
const LAST_ACTIVE_RESOLUTION_MS = 60 * 1000;

export type SignedInStaff = {
  id: string;
  sessionId: string;
  email: string;
  displayName: string;
  roles: Role[];
  locale: Locale;
  /** When this session last proved who the member is (passkey with user verification). */
  authenticatedAt: Date;
};

/**
 * Starts a session in the caller's transaction (the sign-in or enrolment that
 * proved the member's identity); the caller sets the cookie after the commit
 * with setStaffSessionCookie(token, expiresAt).
 */
export async function startStaffSession(
  tx: Tx,
  staffId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + STAFF_SESSION_MAX_AGE_MS);
  const { ip, userAgent } = await getRequestContext();
  const session = await tx.staffSession.create({
    data: {
      tokenHash: sha256(token),
      staffId,
      createdAt: now,
      expiresAt,
      lastActiveAt: now,
      authenticatedAt: now,
      userAgent,
      ipPrefix: ipPrefix(ip),
    },
    select: { id: true },
  });
  return { token, expiresAt, sessionId: session.id };
}

type SessionRow = {
  session_id: string;
  expires_at: Date;
  last_active_at: Date;
  authenticated_at: Date;
  staff_id: string;
  email: string;
  display_name: string;
  roles: string[];
  locale: string;
  disabled_at: Date | null;
};

/**
 * The member a session token belongs to, or null. A session past its 12 h,
 * idle for 30 min, or of a disabled member is deleted and counts as signed
 * out. "Last active" is written at most once a minute. `now` is a parameter so
 * tests need not wait.
 */
export async function findStaffSession(token: string, now = Date.now()): Promise<SignedInStaff | null> {
  const { rows } = await getPool().query<SessionRow>(
    `SELECT s.id AS session_id, s.expires_at, s.last_active_at, s.authenticated_at,
            m.id AS staff_id, m.email, m.display_name, m.roles, m.locale, m.disabled_at
       FROM staff_sessions s JOIN staff_members m ON m.id = s.staff_id
      WHERE s.token_hash = $1`,
    [sha256(token)],
  );
  const row = rows[0];
  if (!row) return null;
  if (
    row.expires_at.getTime() <= now ||
    now - row.last_active_at.getTime() >= STAFF_SESSION_IDLE_MS ||
    row.disabled_at
  ) {
    await prisma.staffSession.deleteMany({ where: { id: row.session_id } });
    return null;
  }
  if (now - row.last_active_at.getTime() >= LAST_ACTIVE_RESOLUTION_MS) {
    await prisma.staffSession.updateMany({ where: { id: row.session_id }, data: { lastActiveAt: new Date(now) } });
  }
  return {
    id: row.staff_id,
    sessionId: row.session_id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles.filter(isRole),
    locale: isLocale(row.locale) ? row.locale : 'en',
    authenticatedAt: row.authenticated_at,
  };
}

/** The signed-in staff member of this request, or null: one indexed read, cached per request. */
export const getSignedInStaff = cache(async (): Promise<SignedInStaff | null> => {
  const token = await readStaffSessionToken();
  return token ? findStaffSession(token) : null;
});

/** Signs this browser out of the console: the row goes, so the cookie is worthless everywhere. */
export async function endStaffSession(): Promise<void> {
  const token = await readStaffSessionToken();
  if (token) await prisma.staffSession.deleteMany({ where: { tokenHash: sha256(token) } });
  await deleteStaffSessionCookie();
}

/** Ends every session of a member (disabled, passkey removed): each fails at its next request. */
export async function endAllStaffSessions(tx: Tx, staffId: string): Promise<number> {
  const result = await tx.staffSession.deleteMany({ where: { staffId } });
  return result.count;
}
