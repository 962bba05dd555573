// Roles and what they may do: code, not data (docs/decisions/033-staff-console.md).
// No 'server-only': the console's client navigation and forms use ROLES too.

export const ROLES = ['administrator', 'marketer', 'support-agent', 'privacy-officer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

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
  'customer.export': ['privacy-officer'],
  'customer.erase': ['privacy-officer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(roles: readonly string[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => isRole(role) && allowed.includes(role));
}
