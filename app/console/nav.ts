import type { Permission } from '@/server/staff/permissions';

/**
 * The console's sections. The navigation and the home page show an entry only
 * to a member whose roles hold its permission; each page checks it again
 * (requirePermission), so this list hides links, it guards nothing.
 * Labels and descriptions: messages `console.nav.<key>` and `console.nav.<key>Description`.
 */
export const CONSOLE_NAV: readonly { key: string; href: string; permission: Permission }[] = [
  { key: 'staff', href: '/console/staff', permission: 'staff.manage' },
  { key: 'apps', href: '/console/apps', permission: 'apps.manage' },
  { key: 'support', href: '/console/support', permission: 'support.verify' },
  { key: 'customers', href: '/console/customers', permission: 'customers.find' },
  { key: 'content', href: '/console/content', permission: 'content.view' },
  { key: 'audit', href: '/console/audit', permission: 'audit.view' },
];
