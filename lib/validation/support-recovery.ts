import * as z from 'zod/mini';

import { EmailSchema } from './email';

/** The agent starts a recovery with the address the caller wants to sign in with from now on. */
export const StartRecoverySchema = z.object({ newEmail: EmailSchema });

/** A 6-digit code the caller reads out: the support code of a session, or the code sent to the phone. */
export const RecoveryCodeSchema = z.object({
  code: z.string({ error: 'code.format' }).check(
    z.trim(),
    z.regex(/^\d{3} ?\d{3}$/, { error: 'code.format' }),
    z.overwrite((value) => value.replace(' ', '')),
  ),
});

export const RECOVERY_PROOFS = ['session-code', 'phone-code'] as const;
export type RecoveryProof = (typeof RECOVERY_PROOFS)[number];
export const RecoveryProofSchema = z.enum(RECOVERY_PROOFS);
