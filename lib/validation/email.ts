import { z } from 'zod';

// RFC 5321 caps a path at 256 octets, so an address at 254 characters.
export const EMAIL_MAX_LENGTH = 254;

/** An email address as we store it: trimmed, lower-cased, no control characters. */
export const EmailSchema = z
  .string({ error: 'email.required' })
  .trim()
  .min(1, { error: 'email.required' })
  .max(EMAIL_MAX_LENGTH, { error: 'email.tooLong' })
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: 'email.invalid' })
  .pipe(z.email({ error: 'email.invalid' }))
  .transform((v) => v.toLowerCase());
