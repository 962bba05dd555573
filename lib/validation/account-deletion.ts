// zod/mini: the form runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

/**
 * The typed confirmation of account deletion: the customer types their own
 * email address, which no stray click or autofill can do for them.
 */
export function deleteAccountSchema(email: string) {
  return z.object({
    confirmation: z.string({ error: 'deleteConfirmation.mismatch' }).check(
      z.trim(),
      z.refine((v) => v.toLowerCase() === email.toLowerCase(), { error: 'deleteConfirmation.mismatch' }),
    ),
  });
}
export type DeleteAccountInput = { confirmation: string };
