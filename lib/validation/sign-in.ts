import { z } from 'zod';
import { EmailSchema } from './email';

export const RequestSignInSchema = z.object({ email: EmailSchema });
export type RequestSignInInput = z.input<typeof RequestSignInSchema>;

export const VerifyCodeSchema = z.object({
  code: z
    .string({ error: 'code.required' })
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(z.string().min(1, { error: 'code.required' }).regex(/^\d{6}$/, { error: 'code.format' })),
});
export type VerifyCodeInput = z.input<typeof VerifyCodeSchema>;

export const ConfirmLinkSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
