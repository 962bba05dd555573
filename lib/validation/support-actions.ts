// zod/mini, as every form schema that runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { ADDRESS_KINDS, AddressSchema } from './address';
import { EmailSchema } from './email';

// What a support agent does in a case with the customer's agreement (issue 16 item 4,
// docs/decisions/036-support-console.md). Each form carries the agent's word that the
// customer asked for it on this call: no action without it.

const agreed = z.literal(true, { error: 'console.support.actions.agreementRequired' });

export const SUPPORT_ACTIONS = [
  'resend-email-change',
  'end-sessions',
  'fix-address',
  'start-email-change',
  'record-consent',
] as const;
export type SupportAction = (typeof SUPPORT_ACTIONS)[number];

export const AgreementSchema = z.object({ agreed });

export const SupportFixAddressSchema = z.object({
  agreed,
  kind: z.enum(ADDRESS_KINDS, { error: 'console.support.actions.kindInvalid' }),
  address: AddressSchema,
});
export type SupportFixAddressInput = z.output<typeof SupportFixAddressSchema>;

export const SupportEmailChangeSchema = z.object({ agreed, newEmail: EmailSchema });

export const SupportConsentSchema = z.object({
  agreed,
  purposeKey: z
    .string({ error: 'console.support.actions.purposeInvalid' })
    .check(z.regex(/^[a-z0-9-]{1,64}$/, { error: 'console.support.actions.purposeInvalid' })),
  granted: z.boolean({ error: 'console.support.actions.grantedInvalid' }),
});
