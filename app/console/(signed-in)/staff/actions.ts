'use server';

import { revalidatePath } from 'next/cache';

import { fieldErrorsFrom, type ActionResult, type VersionedActionResult } from '@/lib/action-result';
import {
  ChangeRolesSchema,
  InviteStaffSchema,
  ReinviteStaffSchema,
  RemoveStaffPasskeySchema,
  StaffVersionSchema,
} from '@/lib/validation/staff';
import { requirePermission } from '@/server/staff/auth';
import {
  changeRoles,
  disableStaff,
  enableStaff,
  inviteStaff,
  reinviteStaff,
  removeStaffPasskey,
  type InviteResult,
  type StaffChangeResult,
} from '@/server/staff/members';

// Thin on purpose: the permission first, the shared schema, then server/staff/members.ts,
// which audits each change in its own transaction. Ids come from the page and are
// re-checked there: a member that does not exist is "not found", nothing is written.

const MESSAGES = {
  'not-found': 'console.staff.notFound',
  conflict: 'console.staff.conflict',
  'last-administrator': 'console.staff.lastAdministrator',
  self: 'console.staff.self',
  disabled: 'console.staff.disabledMember',
} as const;

function fromChange(result: StaffChangeResult): VersionedActionResult {
  return result.ok ? result : { ok: false, message: MESSAGES[result.reason] };
}

/** Where the invitation went, for the form's confirmation. */
export type InviteActionResult =
  | { ok: true; staffId: string; mail: 'sent' | 'queued' | 'dev-mailbox'; expiresAt: string }
  | Exclude<ActionResult, { ok: true }>;

function fromInvite(result: InviteResult): InviteActionResult {
  if (result.ok)
    return { ok: true, staffId: result.staffId, mail: result.mail, expiresAt: result.expiresAt.toISOString() };
  if (result.reason === 'invalid') return { ok: false, fieldErrors: result.fieldErrors };
  return { ok: false, message: MESSAGES[result.reason] };
}

export async function inviteStaffAction(input: unknown): Promise<InviteActionResult> {
  const actor = await requirePermission('staff.manage');
  const parsed = InviteStaffSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = fromInvite(await inviteStaff(parsed.data, actor.audit));
  if (result.ok) revalidatePath('/console/staff', 'layout');
  return result;
}

export async function reinviteStaffAction(input: unknown): Promise<InviteActionResult> {
  const actor = await requirePermission('staff.manage');
  const parsed = ReinviteStaffSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.staff.notFound' };
  const result = await reinviteStaff(parsed.data.staffId, actor.audit);
  if (!result) return { ok: false, message: 'console.staff.notFound' };
  revalidatePath('/console/staff', 'layout');
  return fromInvite(result);
}

export async function changeRolesAction(input: unknown): Promise<VersionedActionResult> {
  const actor = await requirePermission('staff.manage');
  const parsed = ChangeRolesSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const { staffId, roles, version } = parsed.data;
  const result = fromChange(await changeRoles(staffId, roles, version, actor.audit));
  if (result.ok) revalidatePath('/console/staff', 'layout');
  return result;
}

export async function setStaffDisabledAction(input: unknown, disabled: unknown): Promise<VersionedActionResult> {
  const actor = await requirePermission('staff.manage');
  const parsed = StaffVersionSchema.safeParse(input);
  if (!parsed.success || typeof disabled !== 'boolean') return { ok: false, message: 'console.staff.notFound' };
  const { staffId, version } = parsed.data;
  const result = fromChange(
    disabled ? await disableStaff(staffId, version, actor.audit) : await enableStaff(staffId, version, actor.audit),
  );
  if (result.ok) revalidatePath('/console/staff', 'layout');
  return result;
}

export async function removeStaffPasskeyAction(input: unknown): Promise<ActionResult> {
  const actor = await requirePermission('staff.manage');
  const parsed = RemoveStaffPasskeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'console.staff.notFound' };
  const result = await removeStaffPasskey(parsed.data.staffId, parsed.data.passkeyId, actor.audit);
  if (!result.ok) return { ok: false, message: 'console.staff.passkeyNotFound' };
  revalidatePath('/console/staff', 'layout');
  return { ok: true };
}
