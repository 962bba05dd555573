import * as z from 'zod/mini';

import { EmailSchema } from './email';

export const RequestSignInSchema = z.object({ email: EmailSchema });
export type RequestSignInInput = z.input<typeof RequestSignInSchema>;

export const VerifyCodeSchema = z.object({
  code: z.pipe(
    z.pipe(
      z.string({ error: 'code.required' }),
      z.transform((v) => v.replace(/\s+/g, '')),
    ),
    z.string().check(z.minLength(1, { error: 'code.required' }), z.regex(/^\d{6}$/, { error: 'code.format' })),
  ),
});
export type VerifyCodeInput = z.input<typeof VerifyCodeSchema>;

export const ConfirmLinkSchema = z.object({
  token: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
});
