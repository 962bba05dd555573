// zod/mini, as every form schema that runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { EMAIL_MAX_LENGTH } from './email';

// The support console's verification and case forms (docs/decisions/036-support-console.md).

export const CASE_NOTE_MAX_LENGTH = 2000;

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** The customer's address, exactly: lower-cased as it is stored. */
const customerEmail = z.pipe(
  z
    .string({ error: 'console.support.find.emailRequired' })
    .check(
      z.trim(),
      z.minLength(1, { error: 'console.support.find.emailRequired' }),
      z.maxLength(EMAIL_MAX_LENGTH, { error: 'console.support.find.emailInvalid' }),
    ),
  z.email({ error: 'console.support.find.emailInvalid' }).check(z.toLowerCase()),
);

export const SupportCodeSchema = z.object({
  email: customerEmail,
  // Spaces are how people read codes aloud and type them: "123 456".
  code: z.pipe(
    z.string({ error: 'console.support.find.codeFormat' }).check(z.overwrite((v) => v.replace(/[\s-]/g, ''))),
    z.string().check(z.regex(/^\d{6}$/, { error: 'console.support.find.codeFormat' })),
  ),
});
export type SupportCodeInput = { email: string; code: string };

export const VerificationRequestSchema = z.object({ email: customerEmail });
export type VerificationRequestInput = { email: string };

export const CaseNoteSchema = z.object({
  body: z.string({ error: 'console.support.case.noteRequired' }).check(
    z.trim(),
    z.minLength(1, { error: 'console.support.case.noteRequired' }),
    z.maxLength(CASE_NOTE_MAX_LENGTH, { error: 'console.support.case.noteTooLong' }),
    z.refine((v) => !CONTROL_CHARACTERS.test(v.replace(/[\n\t]/g, '')), {
      error: 'console.support.case.noteInvalid',
    }),
  ),
});
export type CaseNoteInput = { body: string };
