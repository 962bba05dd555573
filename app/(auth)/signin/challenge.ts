import 'server-only';
import { cookies } from 'next/headers';
import { getPendingChallenge } from '@/server/sign-in';

// Binds the code page to the device that asked for the code (docs/decisions/004).
export const CHALLENGE_COOKIE = 'accord.signin';
export const RETURN_COOKIE = 'accord.return-to';

/** The email of this device's pending sign-in, or null. */
export async function getChallengeEmail(): Promise<string | null> {
  const id = (await cookies()).get(CHALLENGE_COOKIE)?.value;
  if (!id) return null;
  return (await getPendingChallenge(id))?.email ?? null;
}
