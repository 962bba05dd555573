// zod/mini, not zod: these schemas run in the browser on the sign-in pages,
// and the classic build costs ~43 kB gzipped there (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

// RFC 5321 caps a path at 256 octets, so an address at 254 characters.
export const EMAIL_MAX_LENGTH = 254;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** An email address as we store it: trimmed, lower-cased, no control characters. */
export const EmailSchema = z.pipe(
  z.string({ error: 'email.required' }).check(
    z.trim(),
    z.minLength(1, { error: 'email.required' }),
    z.maxLength(EMAIL_MAX_LENGTH, { error: 'email.tooLong' }),
    z.refine((v) => !CONTROL_CHARACTERS.test(v), { error: 'email.invalid' }),
  ),
  z.email({ error: 'email.invalid' }).check(z.toLowerCase()),
);
