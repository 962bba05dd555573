import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { Decision } from '@/lib/personalization/decision';
import { listDataAccess, recordDataAccess } from '@/server/consent/access-log';
import { previewAsCustomer, type PreviewActor } from '@/server/personalization/preview';
import type { AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';

// A preview is a staff read: its audit row and the decision's access-log row commit together
// (docs/decisions/035-personalization.md §6). decide() and the sample tokens belong to other
// engineers: they stand in here as the contract describes them, the decision logging its read
// through the preview's transaction, so what is tested is this file's transaction and audit.
const failDecision = vi.hoisted(() => ({ now: false }));
vi.mock('@/server/personalization/decide', () => ({
  decide: vi.fn(
    async (args: { customerId: string; locale: 'en' | 'fr'; via: { kind: string; tx?: never; reader?: never } }) => {
      const via = args.via as unknown as {
        kind: 'preview';
        tx: Parameters<typeof recordDataAccess>[0];
        reader: { accessor: Parameters<typeof recordDataAccess>[1][number]['accessor']; reason?: string };
      };
      await recordDataAccess(via.tx, [
        {
          customerId: args.customerId,
          accessor: via.reader.accessor,
          fields: ['preferences'],
          purpose: 'personalization',
          reason: via.reader.reason,
        },
      ]);
      if (failDecision.now) throw new Error('decision failed');
      return {
        customerId: args.customerId,
        mode: 'personalized',
        contentVersion: 1,
        locale: args.locale,
        slots: {},
        explain: {},
        etag: '"x"',
      } satisfies Decision;
    },
  ),
}));
vi.mock('@/server/personalization/audience', () => ({
  resolveSampleToken: (token: string) => (token.startsWith('valid:') ? token.slice(6) : null),
}));

async function marketer(): Promise<PreviewActor> {
  const staff = await createStaffMember({ roles: ['marketer'], displayName: 'Mina Marketer' });
  const audit: AuditActor = { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-preview' };
  return { id: staff.id, displayName: staff.displayName, audit };
}

const auditRows = (staffId: string) =>
  prisma.auditLog.findMany({
    where: { actorStaffId: staffId },
    orderBy: { id: 'asc' },
    select: { action: true, customerId: true, reason: true, details: true },
  });

describe('previewing as a customer', () => {
  beforeEach(() => {
    failDecision.now = false;
  });

  it('audits the preview and logs the read for the customer, in one transaction', async () => {
    const member = await marketer();
    const customer = await createCustomer({ email: uniqueEmail('preview') });
    const result = await previewAsCustomer(member, {
      target: { email: customer.email },
      reason: 'Checking the running block',
      locale: 'en',
    });
    expect(result).toMatchObject({ ok: true, decision: { customerId: customer.id } });
    expect(await auditRows(member.id)).toEqual([
      {
        action: 'content.preview',
        customerId: customer.id,
        reason: 'Checking the running block',
        details: { by: 'email', found: true },
      },
    ]);
    const log = await listDataAccess(customer.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ accessorType: 'staff', accessorName: 'Mina Marketer', purpose: 'personalization' });
  });

  it('writes neither row when the decision fails', async () => {
    failDecision.now = true;
    const member = await marketer();
    const customer = await createCustomer({ email: uniqueEmail('preview') });
    await expect(
      previewAsCustomer(member, { target: { email: customer.email }, reason: 'r', locale: 'en' }),
    ).rejects.toThrow('decision failed');
    expect(await auditRows(member.id)).toEqual([]);
    expect(await listDataAccess(customer.id)).toEqual([]);
  });

  it('audits an unknown address or a forged token as not found, reading no one', async () => {
    const member = await marketer();
    expect(
      await previewAsCustomer(member, { target: { email: uniqueEmail('nobody') }, reason: 'r1', locale: 'fr' }),
    ).toEqual({ ok: false, error: 'not-found' });
    expect(await previewAsCustomer(member, { target: { sampleToken: 'forged' }, reason: 'r2', locale: 'fr' })).toEqual({
      ok: false,
      error: 'not-found',
    });
    expect(await auditRows(member.id)).toEqual([
      { action: 'content.preview', customerId: null, reason: 'r1', details: { by: 'email', found: false } },
      { action: 'content.preview', customerId: null, reason: 'r2', details: { by: 'sample', found: false } },
    ]);
  });

  it('opens a customer from a sample token', async () => {
    const member = await marketer();
    const customer = await createCustomer({ email: uniqueEmail('sample') });
    const result = await previewAsCustomer(member, {
      target: { sampleToken: `valid:${customer.id}` },
      reason: 'From the estimate',
      locale: 'en',
    });
    expect(result).toMatchObject({ ok: true, decision: { customerId: customer.id } });
    expect((await auditRows(member.id))[0]).toMatchObject({
      customerId: customer.id,
      details: { by: 'sample', found: true },
    });
  });
});
