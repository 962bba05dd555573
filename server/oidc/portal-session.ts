import 'server-only';

import { isRecentlyAuthenticated } from '@/server/identity/sessions';
import { sessionTokenFromCookieHeader } from '@/server/platform/cookies';
import { sha256 } from '@/server/platform/crypto';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

// The portal session behind a request to /oidc/interaction/*, read from the
// Cookie header (this runs outside Next's request scope).

export const ACR_SESSION = 'urn:accord:acr:session';
export const ACR_STRONG = 'urn:accord:acr:strong';

export type PortalSession = { customerId: string; authenticatedAt: Date; authMethod: string | null };

export async function portalSessionFromCookies(cookieHeader: string | undefined): Promise<PortalSession | null> {
  const token = sessionTokenFromCookieHeader(cookieHeader);
  if (!token) return null;
  const { rows } = await getPool().query<{ user_id: string; authenticated_at: Date; auth_method: string | null }>(
    `SELECT user_id, authenticated_at, auth_method FROM sessions
      WHERE session_token_hash = $1 AND expires > now() AND created_at > now() - make_interval(days => $2::int)`,
    [sha256(token), getEnv().SESSION_MAX_AGE_DAYS],
  );
  const row = rows[0];
  return row ? { customerId: row.user_id, authenticatedAt: row.authenticated_at, authMethod: row.auth_method } : null;
}

/** urn:accord:acr:strong while the session's last proof (a passkey or a fresh email code) is recent. */
export function acrOf(session: PortalSession, now = Date.now()): string {
  return isRecentlyAuthenticated(session.authenticatedAt, now) ? ACR_STRONG : ACR_SESSION;
}

/** RFC 8176 authentication method references for the session's sign-in method. */
export function amrOf(session: PortalSession): string[] {
  const method = session.authMethod ?? '';
  if (method.includes('passkey')) return ['hwk', 'user'];
  if (method.includes('email')) return ['otp'];
  if (method.startsWith('oidc:')) return ['fed'];
  return [];
}
