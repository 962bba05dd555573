import 'server-only';

import { getPendingChallenge } from '@/server/identity/sign-in';
import { readCookie } from '@/server/platform/cookies';

/**
 * The email of this device's sign-in, or null. `includeEnded` also finds a
 * challenge that died (too many wrong codes, expiry), for "Send a new code".
 */
export async function getChallengeEmail(opts: { includeEnded?: boolean } = {}): Promise<string | null> {
  return (await getChallenge(opts))?.email ?? null;
}

/** This device's sign-in: where the mail went, and whether it is still queued (SMTP was down). */
export async function getChallenge(
  opts: { includeEnded?: boolean } = {},
): Promise<{ email: string; mailQueued: boolean } | null> {
  // The cookie binds the code page to the device that asked for the code (docs/decisions/004).
  const id = await readCookie('signInChallenge');
  if (!id) return null;
  return getPendingChallenge(id, opts);
}
