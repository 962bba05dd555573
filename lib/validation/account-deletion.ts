import { z } from 'zod';

/**
 * The typed confirmation of account deletion: the customer types their own
 * email address, which no stray click or autofill can do for them.
 */
export function deleteAccountSchema(email: string) {
  return z.object({
    confirmation: z
      .string({ error: 'deleteConfirmation.mismatch' })
      .trim()
      .refine((v) => v.toLowerCase() === email.toLowerCase(), { error: 'deleteConfirmation.mismatch' }),
  });
}
export type DeleteAccountInput = { confirmation: string };
