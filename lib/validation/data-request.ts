// zod/mini, as every form schema that runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { EMAIL_MAX_LENGTH } from './email';

// The privacy officer's data-request forms in the console (docs/decisions/033-staff-console.md §5).
// A reason is kept in the audit trail and shown to the customer in "who looked at my data".

export const REASON_MAX_LENGTH = 500;
export const REQUEST_REFERENCE_MAX_LENGTH = 100;

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function text(max: number, keys: { required: string; tooLong: string; invalid: string }) {
  return z.string({ error: keys.required }).check(
    z.trim(),
    z.minLength(1, { error: keys.required }),
    z.maxLength(max, { error: keys.tooLong }),
    z.refine((v) => !CONTROL_CHARACTERS.test(v), { error: keys.invalid }),
  );
}

const reason = text(REASON_MAX_LENGTH, {
  required: 'dataRequest.reasonRequired',
  tooLong: 'dataRequest.reasonTooLong',
  invalid: 'dataRequest.invalidCharacters',
});

/** The customer's address, exactly: lower-cased as it is stored. */
const customerEmail = z.pipe(
  text(EMAIL_MAX_LENGTH, {
    required: 'dataRequest.emailRequired',
    tooLong: 'dataRequest.emailTooLong',
    invalid: 'dataRequest.emailInvalid',
  }),
  z.email({ error: 'dataRequest.emailInvalid' }).check(z.toLowerCase()),
);

export const FindCustomerSchema = z.object({ email: customerEmail, reason });
export type FindCustomerInput = { email: string; reason: string };

export const ExportCustomerSchema = z.object({ reason });
export type ExportCustomerInput = { reason: string };

/** The address typed again is compared on the server: the page only shows it masked. */
export const EraseCustomerSchema = z.object({
  reason,
  requestReference: text(REQUEST_REFERENCE_MAX_LENGTH, {
    required: 'dataRequest.referenceRequired',
    tooLong: 'dataRequest.referenceTooLong',
    invalid: 'dataRequest.invalidCharacters',
  }),
  confirmation: customerEmail,
});
export type EraseCustomerInput = { reason: string; requestReference: string; confirmation: string };
