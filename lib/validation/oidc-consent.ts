import * as z from 'zod/mini';

import { OIDC_CLAIMS, type OidcClaim } from '@/lib/oidc/claims';

// The consent screen's answer (app/authorize/[uid]/consent): Allow with the
// optional claims left on, or Refuse.
export const ConsentAnswerSchema = z.strictObject({
  uid: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  approved: z.boolean(),
  optional: z.array(z.enum(OIDC_CLAIMS as [OidcClaim, ...OidcClaim[]])).check(z.maxLength(OIDC_CLAIMS.length)),
});
export type ConsentAnswer = z.infer<typeof ConsentAnswerSchema>;
