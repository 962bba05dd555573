'use server';

import { signOut } from '@/server/auth';

/** Ends this session: the row is deleted, so the cookie is worthless everywhere. */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/signin' });
}
