import { describe, expect, it } from 'vitest';

import { can, PERMISSIONS, ROLES } from '@/server/staff/permissions';

describe('staff permissions', () => {
  it('gives each role only its own sections', () => {
    const granted = (role: string) =>
      (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((p) => can([role], p)).sort();
    expect(granted('administrator')).toEqual(['apps.manage', 'audit.view', 'staff.manage']);
    expect(granted('marketer')).toEqual(['content.edit', 'content.publish', 'content.view']);
    expect(granted('support-agent')).toEqual([
      'customer.reveal',
      'customer.view-masked',
      'customers.find',
      'support.act',
      'support.recovery',
      'support.verify',
    ]);
    expect(granted('privacy-officer')).toEqual([
      'audit.view',
      'customer.erase',
      'customer.export',
      'customer.view-masked',
      'customers.find',
    ]);
  });

  it('adds up the permissions of several roles', () => {
    expect(can(['marketer', 'support-agent'], 'content.publish')).toBe(true);
    expect(can(['marketer', 'support-agent'], 'customer.reveal')).toBe(true);
    expect(can(['marketer', 'support-agent'], 'staff.manage')).toBe(false);
  });

  it('grants nothing to an unknown or forged role', () => {
    expect(can(['superuser'], 'staff.manage')).toBe(false);
    expect(can(['Administrator'], 'staff.manage')).toBe(false);
    expect(can([], 'audit.view')).toBe(false);
    expect(ROLES).not.toContain('superuser');
  });
});
