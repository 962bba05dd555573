'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';

import { formField } from '@/lib/form-field';
import { confirmNotMe } from '@/server/identity/security-events';

const Input = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** Needs no session: the mailed token is the proof; it ends every session of its customer. */
export async function confirmNotMeAction(formData: unknown): Promise<void> {
  const parsed = Input.safeParse({ token: formField(formData, 'token') });
  if (!parsed.success || !(await confirmNotMe(parsed.data.token))) redirect('/security/not-me');
  redirect('/security/not-me?done=1');
}
