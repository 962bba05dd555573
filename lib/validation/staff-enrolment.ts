import { z } from 'zod';

import { CeremonySchema } from './passkey';

/** An invitation token as the link's fragment carries it (32 random bytes, base64url); anything else is unknown. */
const InvitationToken = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/);

export const InvitationSchema = z.object({ token: InvitationToken });
export const EnrolmentSchema = CeremonySchema.extend({ token: InvitationToken });
