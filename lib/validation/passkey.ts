import { z } from 'zod';

export const PasskeyNameSchema = z
  .string({ error: 'passkeyName.required' })
  .trim()
  .min(1, { error: 'passkeyName.required' })
  .max(60, { error: 'passkeyName.tooLong' })
  .refine((v) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(v), { error: 'passkeyName.invalid' });

export const RenamePasskeySchema = z.object({ passkeyId: z.uuid(), name: PasskeyNameSchema });
export const PasskeyIdSchema = z.object({ passkeyId: z.uuid() });
export const SessionIdSchema = z.object({ sessionId: z.uuid() });

/** A WebAuthn response as the browser library returns it: checked in depth by @simplewebauthn/server. */
export const WebAuthnResponseSchema = z
  .object({
    id: z.string().min(1).max(1400),
    rawId: z.string().max(1400),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
  })
  .passthrough();
export const CeremonySchema = z.object({ ceremonyId: z.uuid(), response: WebAuthnResponseSchema });
