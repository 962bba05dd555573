// The console's roles: in lib/ because forms validate them in the browser
// (lib/validation/staff.ts); what each role may do is server/staff/permissions.ts.

export const ROLES = ['administrator', 'marketer', 'support-agent', 'privacy-officer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
