import 'server-only';

import { headers } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';

import { safeReturnPath } from '@/lib/safe-redirect';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { requestIdOf } from '@/server/platform/errors';

import { can, type Permission } from './permissions';
import { getSignedInStaff, type SignedInStaff } from './sessions';

/** A signed-in member allowed this request, and how audit rows name them. */
export type StaffActor = SignedInStaff & { audit: AuditActor };

/** Where a console sign-in returns to: a console path, or the console's home. */
export function consoleReturnPath(value: unknown): string {
  const path = safeReturnPath(value, '/console');
  return path === '/console' || path.startsWith('/console/') || path.startsWith('/console?') ? path : '/console';
}

/**
 * The signed-in staff member, or a redirect to /console/signin that comes back
 * to the page asked for (proxy.ts tells us which). Never reads the customer cookie.
 */
export async function requireStaff(): Promise<SignedInStaff> {
  const staff = await getSignedInStaff();
  if (!staff) {
    const path = consoleReturnPath((await headers()).get('x-accord-path'));
    redirect(path === '/console' ? '/console/signin' : `/console/signin?next=${encodeURIComponent(path)}`);
  }
  return staff;
}

export function staffCan(staff: Pick<SignedInStaff, 'roles'>, permission: Permission): boolean {
  return can(staff.roles, permission);
}

/**
 * The first call of every console page, server action and route handler. A
 * member without the permission gets HTTP 403 (Next.js's forbidden(), needs
 * experimental.authInterrupts) and the refusal is audited: who asked for what, where.
 */
export async function requirePermission(permission: Permission): Promise<StaffActor> {
  const staff = await requireStaff();
  const requestHeaders = await headers();
  const audit: AuditActor = {
    type: 'staff',
    staffId: staff.id,
    label: staff.email,
    requestId: requestIdOf(requestHeaders),
  };
  if (!can(staff.roles, permission)) {
    const path = (requestHeaders.get('x-accord-path') ?? '').slice(0, 128);
    await prisma.$transaction((tx) =>
      writeAudit(tx, audit, { action: 'access.denied', details: { permission, path, roles: staff.roles } }),
    );
    forbidden();
  }
  return { ...staff, audit };
}
