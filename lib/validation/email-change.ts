// zod/mini: the form runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { EmailSchema } from './email';

/** The "change email" form: the new address, verified before it replaces the old one. */
export const RequestEmailChangeSchema = z.object({ newEmail: EmailSchema });
export type RequestEmailChangeInput = z.input<typeof RequestEmailChangeSchema>;

/** The link in the mails (verify the new address, revert from the old one): 32 random bytes, base64url. */
export const EmailChangeTokenSchema = z.object({ token: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)) });
