import { describe, expect, it } from 'vitest';

import { recordDataAccess } from '@/server/consent/access-log';
import { deleteCustomer } from '@/server/customers/account';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import {
  auditStaffAccessView,
  findCustomerIdByEmail,
  listStaffAccess,
  STAFF_ACCESS_CSV_COLUMNS,
  streamStaffAccessCsv,
} from '@/server/staff/audit-query';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';

async function officer() {
  const staff = await createStaffMember({ roles: ['privacy-officer'] });
  const actor: AuditActor = { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-test' };
  return { ...staff, actor };
}

async function touch(customerId: string, agent: { id: string; displayName: string; actor: AuditActor }) {
  await prisma.$transaction(async (tx) => {
    await writeAudit(tx, agent.actor, {
      action: 'customer.view',
      objectId: customerId,
      customerId,
      reason: 'ticket 42',
    });
    await recordDataAccess(tx, [
      {
        customerId,
        accessor: { type: 'staff', id: agent.id, name: agent.displayName },
        fields: ['email', 'phone'],
        purpose: 'support',
        reason: 'case 1a2b',
      },
    ]);
  });
}

describe('all staff access to one customer', () => {
  it("lists that customer's audit rows and staff reads, newest first, and nobody else's or the apps' reads", async () => {
    const customer = await createCustomer({ email: uniqueEmail('dsr') });
    const other = await createCustomer({ email: uniqueEmail('dsr-other') });
    const agent = await officer();
    await touch(customer.id, agent);
    await touch(other.id, agent);
    await prisma.$transaction((tx) =>
      recordDataAccess(tx, [
        {
          customerId: customer.id,
          accessor: { type: 'app', id: 'checkbook', name: 'checkbook' },
          fields: ['email'],
          purpose: 'marketing-email',
        },
      ]),
    );

    expect(await findCustomerIdByEmail(customer.email)).toBe(customer.id);
    expect(await findCustomerIdByEmail(uniqueEmail('nobody'))).toBeNull();
    const entries = await listStaffAccess(customer.id);
    expect(entries.map((e) => [e.source, e.what]).sort()).toEqual([
      ['access-log', 'support'],
      ['audit', 'customer.view'],
    ]);
    expect(entries.find((e) => e.source === 'access-log')).toMatchObject({
      actor: agent.displayName,
      fields: ['email', 'phone'],
      reason: 'case 1a2b',
    });
    expect(await listStaffAccess('not-a-uuid')).toEqual([]);
  });

  it('exports it as CSV bounded by its own audit row, which records the export', async () => {
    const customer = await createCustomer({ email: uniqueEmail('dsr') });
    const agent = await officer();
    await touch(customer.id, agent);
    const exportId = await auditStaffAccessView(agent.actor, customer.id, 'csv');
    const csv = await new Response(streamStaffAccessCsv(customer.id, exportId)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(STAFF_ACCESS_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    expect(csv).toContain('customer.view');
    expect(csv).toContain('support');
    expect(csv).not.toContain('audit.customer-access');
    // The export itself is in the trail, for the next request.
    expect((await listStaffAccess(customer.id)).map((e) => e.what)).toContain('audit.customer-access');
  });

  it('still finds the audit rows of an erased customer by id (through the pseudonym)', async () => {
    const customer = await createCustomer({ email: uniqueEmail('dsr') });
    const agent = await officer();
    await touch(customer.id, agent);
    await deleteCustomer(customer.id, { channel: 'test' });
    const entries = await listStaffAccess(customer.id);
    expect(entries.map((e) => e.what)).toContain('customer.view');
  });
});
