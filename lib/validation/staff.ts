// zod/mini: the console's staff forms run in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

import { locales } from '@/lib/i18n/config';
import { ROLES } from '@/lib/staff-roles';

import { EmailSchema } from './email';

export const DISPLAY_NAME_MAX_LENGTH = 100;

// Control and bidirectional-override characters, and the angle brackets of markup:
// a name shows in the console, in mails and in the audit CSV.
const NOT_IN_A_NAME = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>]/;

export const DisplayNameSchema = z.string({ error: 'displayName.required' }).check(
  z.trim(),
  z.minLength(1, { error: 'displayName.required' }),
  z.maxLength(DISPLAY_NAME_MAX_LENGTH, { error: 'displayName.tooLong' }),
  z.refine((v) => !NOT_IN_A_NAME.test(v), { error: 'displayName.invalid' }),
);

/** At least one role, each one of ROLES: a forged role is a field error, never a 500 or a CHECK violation. */
export const RolesSchema = z.array(z.enum(ROLES, { error: 'roles.invalid' }), { error: 'roles.required' }).check(
  z.minLength(1, { error: 'roles.required' }),
  z.maxLength(ROLES.length, { error: 'roles.invalid' }),
  z.refine((roles) => new Set(roles).size === roles.length, { error: 'roles.invalid' }),
);

const VersionSchema = z.int().check(z.positive());
const StaffIdSchema = z.uuid();

/** The invitation form; re-inviting an existing address keeps its name and replaces its roles. */
export const InviteStaffSchema = z.object({
  email: EmailSchema,
  displayName: DisplayNameSchema,
  roles: RolesSchema,
  locale: z.enum(locales, { error: 'locale.invalid' }),
});
export type InviteStaffInput = z.input<typeof InviteStaffSchema>;

/** A new invitation for an existing member (a lost passkey): their roles stay. */
export const ReinviteStaffSchema = z.object({ staffId: StaffIdSchema });

export const ChangeRolesSchema = z.object({ staffId: StaffIdSchema, roles: RolesSchema, version: VersionSchema });
export type ChangeRolesInput = z.input<typeof ChangeRolesSchema>;

/** Disabling and enabling: the version the page showed, so a stale page changes nothing. */
export const StaffVersionSchema = z.object({ staffId: StaffIdSchema, version: VersionSchema });

export const RemoveStaffPasskeySchema = z.object({ staffId: StaffIdSchema, passkeyId: z.uuid() });
