import 'server-only';

import { cookies } from 'next/headers';

import { getPendingChallenge } from '@/server/identity/sign-in';

// Binds the code page to the device that asked for the code (docs/decisions/004).
export const CHALLENGE_COOKIE = 'accord.signin';
export const RETURN_COOKIE = 'accord.return-to';

/**
 * The email of this device's sign-in, or null. `includeEnded` also finds a
 * challenge that died (too many wrong codes, expiry), for "Send a new code".
 */
export async function getChallengeEmail(opts: { includeEnded?: boolean } = {}): Promise<string | null> {
  const id = (await cookies()).get(CHALLENGE_COOKIE)?.value;
  if (!id) return null;
  return (await getPendingChallenge(id, opts))?.email ?? null;
}
