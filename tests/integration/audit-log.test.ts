import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { deleteCustomer } from '@/server/customers/account';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const cli: AuditActor = { type: 'cli', label: 'cli:test' };

async function auditRowFor(customerId: string) {
  await prisma.$transaction((tx) =>
    writeAudit(tx, cli, { action: 'customer.view', objectId: customerId, customerId, reason: 'ticket 42' }),
  );
  const row = await prisma.auditLog.findFirstOrThrow({ where: { customerId }, orderBy: { id: 'desc' } });
  return row;
}

// The trigger is the first lock, which holds even for the owner and superusers;
// the runtime role's missing UPDATE, DELETE and TRUNCATE privileges are the second
// (scripts/db/roles.ts, tests/integration/database-roles.test.ts).
describe('the audit trail', () => {
  it('writes who, what, on which object, why, with the customer and their pseudonym', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const row = await auditRowFor(customer.id);
    expect(row).toMatchObject({
      actorType: 'cli',
      actorStaffId: null,
      actorLabel: 'cli:test',
      action: 'customer.view',
      objectType: 'customer',
      objectId: customer.id,
      customerId: customer.id,
      subjectPseudonym: subjectPseudonym(customer.id),
      reason: 'ticket 42',
    });
  });

  it('refuses an action that needs a reason without one, and writes nothing', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await expect(
      prisma.$transaction((tx) =>
        writeAudit(tx, cli, { action: 'customer.erase', customerId: customer.id, reason: ' ' }),
      ),
    ).rejects.toThrow(/needs a reason/);
    expect(await prisma.auditLog.count({ where: { customerId: customer.id } })).toBe(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even to the owner', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const row = await auditRowFor(customer.id);
    // The tests run as the runtime role: ask as the owner, whom only the trigger stops.
    const pool = new pg.Pool({ connectionString: process.env.MIGRATION_DATABASE_URL, max: 1 });
    for (const sql of [
      `UPDATE audit_log SET reason = 'rewritten' WHERE id = ${row.id}`,
      `UPDATE audit_log SET customer_id = NULL WHERE id = ${row.id}`,
      `DELETE FROM audit_log WHERE id = ${row.id}`,
      'TRUNCATE audit_log',
    ]) {
      await expect(pool.query(sql), sql).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/^audit_log is append-only/),
      });
    }
    await pool.end();
    expect(await prisma.auditLog.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
  });

  it('keeps the rows of an erased customer under their pseudonym only', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const row = await auditRowFor(customer.id);
    await deleteCustomer(customer.id, { channel: 'portal' });
    const after = await prisma.auditLog.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toEqual({ ...row, customerId: null });
    expect(after.subjectPseudonym).toBe(subjectPseudonym(customer.id));
  });
});
