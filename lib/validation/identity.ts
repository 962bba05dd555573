import { z } from 'zod';

/** A "Continue with …" button on /signin: the provider id and where to go afterwards. */
export const OidcSignInSchema = z.object({
  provider: z.string().regex(/^[a-z][a-z0-9]{0,26}$/),
  returnTo: z.string().max(512).optional(),
});

/** Unlink on /account/security. */
export const IdentityIdSchema = z.object({ identityId: z.uuid() });
