// Roles and what they may do: code, not data (docs/decisions/033-staff-console.md).
// No 'server-only': the console's client navigation uses it too.
import { isRole, type Role } from '@/lib/staff-roles';

export { isRole, ROLES, type Role } from '@/lib/staff-roles';

/**
 * Every permission the console checks, and the roles that hold it. Each page,
 * server action and route handler of the console names one through
 * requirePermission (server/staff/auth.ts). Administrators see no customer data
 * unless they also hold a role that does.
 */
export const PERMISSIONS = {
  'staff.manage': ['administrator'],
  'apps.manage': ['administrator'],
  'audit.view': ['administrator', 'privacy-officer'],
  'content.view': ['marketer'],
  'content.edit': ['marketer'],
  'content.publish': ['marketer'],
  'customers.find': ['support-agent', 'privacy-officer'],
  'customer.view-masked': ['support-agent', 'privacy-officer'],
  'customer.reveal': ['support-agent'],
  // Support (issue 16, docs/decisions/036-support-console.md): open a case by a
  // verification, act in it with the customer's agreement, start a recovery.
  'support.verify': ['support-agent'],
  'support.act': ['support-agent'],
  'support.recovery': ['support-agent'],
  'customer.export': ['privacy-officer'],
  'customer.erase': ['privacy-officer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(roles: readonly string[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => isRole(role) && allowed.includes(role));
}
