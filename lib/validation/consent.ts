import { z } from 'zod';

/**
 * One click on the consent dashboard: grant or withdraw a purpose, for the
 * version of its text the customer was shown.
 */
export const SetConsentSchema = z.object({
  purposeKey: z.string().regex(/^[a-z0-9-]{1,64}$/),
  version: z.number().int().positive(),
  granted: z.boolean(),
});
export type SetConsentInput = z.input<typeof SetConsentSchema>;

export const ReceiptIdSchema = z.uuid();
