'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import { CompleteOnboardingSchema } from '@/lib/validation/onboarding';
import { completeOnboarding } from '@/server/customers/account';
import { requireCustomer } from '@/server/identity/auth';

const Input = z.object({ ...CompleteOnboardingSchema.shape, termsVersion: z.number().int().positive() });

export async function completeOnboardingAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer({ allowPending: true });
  const parsed = Input.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await completeOnboarding(customer.id, {
    firstName: parsed.data.firstName,
    acceptedTermsVersion: parsed.data.termsVersion,
  });
  if (!result.ok && result.reason === 'terms-changed') return { ok: false, message: 'welcome.termsChanged' };
  // Offer a passkey right after registration; one click skips it.
  redirect('/welcome/passkey');
}
