import 'server-only';

import type { Adapter } from 'next-auth/adapters';

import { sha256 } from '@/server/platform/crypto';
import { getEnv } from '@/server/platform/env';

import { deleteAgedSession, isSessionTooOld } from './sessions';

/**
 * Wraps an Auth.js adapter so the sessions table stores SHA-256(cookie value),
 * never the bearer secret itself: a leaked table or backup signs nobody in.
 * Auth.js keeps handling the cookie with the raw value.
 */
export function withHashedSessionTokens(adapter: Adapter): Adapter {
  const { getSessionAndUser, createSession, updateSession, deleteSession } = adapter;
  if (!getSessionAndUser || !createSession || !updateSession || !deleteSession) {
    throw new Error('Session adapter methods are required');
  }
  return {
    ...adapter,
    // The same absolute age as getSignedInCustomer (server/identity/auth.ts).
    getSessionAndUser: async (token) => {
      const found = await getSessionAndUser(sha256(token));
      const row = found?.session as { id?: string; createdAt?: Date } | undefined;
      if (row?.id && row.createdAt && isSessionTooOld(row.createdAt, getEnv().SESSION_MAX_AGE_DAYS)) {
        await deleteAgedSession(row.id);
        return null;
      }
      return found;
    },
    // Auth.js sets the cookie from what this returns: give back the raw token, never the hash.
    createSession: async (session) => ({
      ...(await createSession({ ...session, sessionToken: sha256(session.sessionToken) })),
      sessionToken: session.sessionToken,
    }),
    updateSession: (session) => updateSession({ ...session, sessionToken: sha256(session.sessionToken) }),
    // Deleting an already-deleted session (another tab signed out) is not an error.
    deleteSession: async (token) => {
      try {
        await deleteSession(sha256(token));
      } catch (error) {
        if (typeof error === 'object' && error && 'code' in error && error.code === 'P2025') return;
        throw error;
      }
    },
  };
}
