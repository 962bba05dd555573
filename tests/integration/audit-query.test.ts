import { describe, expect, it } from 'vitest';

import { deleteCustomer } from '@/server/customers/account';
import { writeAudit, type AuditActor, type AuditEntry } from '@/server/platform/audit';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import {
  AUDIT_CSV_COLUMNS,
  AUDIT_PAGE_SIZE,
  auditFilterParams,
  auditTheExport,
  listAuditRows,
  parseAuditQuery,
  streamAuditCsv,
  type AuditFilters,
} from '@/server/staff/audit-query';
import { createCustomer, createStaffMember } from '@/tests/factories';

import { uniqueEmail } from './helpers';

async function member(roles: Parameters<typeof createStaffMember>[0]['roles'] = ['administrator']) {
  const staff = await createStaffMember({ roles });
  const actor: AuditActor = { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'req-test' };
  return { ...staff, actor };
}

async function audit(actor: AuditActor, entry: AuditEntry) {
  await prisma.$transaction((tx) => writeAudit(tx, actor, entry));
}

async function csvText(filters: AuditFilters, beforeId?: bigint): Promise<string> {
  return new Response(streamAuditCsv(filters, beforeId)).text();
}

const query = (params: Record<string, string>) => parseAuditQuery(new URLSearchParams(params));

describe('the audit page query', () => {
  it('filters by member, action, object and date, newest first', async () => {
    const alice = await member();
    const bob = await member();
    await audit(alice.actor, { action: 'staff.invite', objectId: bob.id });
    await audit(alice.actor, { action: 'staff.roles.change', objectId: bob.id, details: { roles: ['marketer'] } });
    await audit(bob.actor, { action: 'staff.sign-in', objectId: bob.id });
    await audit(alice.actor, { action: 'app.create', objectId: 'client-abc' });

    const byAlice = await listAuditRows({ member: alice.id });
    expect(byAlice.rows.map((r) => r.action)).toEqual(['app.create', 'staff.roles.change', 'staff.invite']);
    expect(byAlice.rows[1]).toMatchObject({
      actor: { type: 'staff', label: alice.email },
      object: { type: 'staff', id: bob.id },
      requestId: 'req-test',
      details: { roles: ['marketer'] },
      customer: null,
    });

    expect((await listAuditRows({ member: alice.id, action: 'staff.invite' })).rows).toHaveLength(1);
    const aboutBob = await listAuditRows({ objectType: 'staff', objectId: bob.id });
    expect(aboutBob.rows.map((r) => r.action)).toEqual(['staff.sign-in', 'staff.roles.change', 'staff.invite']);
    expect((await listAuditRows({ member: alice.id, objectType: 'app' })).rows.map((r) => r.object?.id)).toEqual([
      'client-abc',
    ]);

    // A row written yesterday (as the trigger allows: an INSERT) is found by its day only.
    const yesterday = new Date(Date.now() - 86_400_000);
    await prisma.auditLog.create({
      data: {
        actorType: 'staff',
        actorStaffId: alice.id,
        actorLabel: alice.email,
        action: 'staff.disable',
        objectType: 'staff',
        objectId: bob.id,
        occurredAt: yesterday,
      },
    });
    const day = yesterday.toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listAuditRows({ member: alice.id, from: day, to: day })).rows.map((r) => r.action)).toEqual([
      'staff.disable',
    ]);
    expect((await listAuditRows({ member: alice.id, from: today })).rows).toHaveLength(3);
    expect((await listAuditRows({ member: alice.id, to: day })).rows).toHaveLength(1);
  });

  it('pages by 50 with keyset cursors both ways, and says where the ends are', async () => {
    const alice = await member();
    for (let i = 0; i < 120; i++) await audit(alice.actor, { action: 'staff.invite', objectId: `n${i}` });
    const first = await listAuditRows({ member: alice.id });
    expect(first.rows).toHaveLength(AUDIT_PAGE_SIZE);
    expect(first.rows[0]?.object?.id).toBe('n119');
    expect(first.newer).toBeNull();
    expect(first.older).not.toBeNull();

    const second = await listAuditRows({ member: alice.id }, { before: BigInt(first.older!) });
    expect(second.rows.map((r) => r.object?.id)).toEqual(Array.from({ length: 50 }, (_, i) => `n${69 - i}`));
    const third = await listAuditRows({ member: alice.id }, { before: BigInt(second.older!) });
    expect(third.rows).toHaveLength(20);
    expect(third.older).toBeNull();
    expect(third.rows.at(-1)?.object?.id).toBe('n0');

    // Back from the last page: the same second page, then the first.
    const back = await listAuditRows({ member: alice.id }, { after: BigInt(third.newer!) });
    expect(back.rows.map((r) => r.id)).toEqual(second.rows.map((r) => r.id));
    const backAgain = await listAuditRows({ member: alice.id }, { after: BigInt(back.newer!) });
    expect(backAgain.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(backAgain.newer).toBeNull();

    expect(await listAuditRows({ member: alice.id, action: 'staff.enable' })).toEqual({
      rows: [],
      newer: null,
      older: null,
    });
  });

  it("shows an erased customer's rows under a pseudonym prefix, still found by their id", async () => {
    const officer = await member(['privacy-officer']);
    const customer = await createCustomer({ email: uniqueEmail() });
    await audit(officer.actor, { action: 'customer.view', customerId: customer.id, reason: 'DSR-1' });
    expect((await listAuditRows({ member: officer.id })).rows[0]?.customer).toEqual({
      erased: false,
      id: customer.id,
    });

    await deleteCustomer(customer.id, { channel: 'portal' });
    const [row] = (await listAuditRows({ objectType: 'customer', objectId: customer.id })).rows;
    expect(row?.customer).toEqual({ erased: true, pseudonym: subjectPseudonym(customer.id).slice(0, 12) });
    expect(row?.reason).toBe('DSR-1');
  });

  it('parses the query: empty means any, bad values are field errors', () => {
    expect(query({ member: '', action: 'customer.view', from: '2026-12-01', to: '2026-12-07' })).toEqual({
      ok: true,
      filters: { action: 'customer.view', from: '2026-12-01', to: '2026-12-07' },
      cursor: { before: undefined, after: undefined },
    });
    expect(query({ before: '123' })).toMatchObject({ ok: true, cursor: { before: 123n } });
    expect(query({ member: 'cli' })).toMatchObject({ ok: true, filters: { member: 'cli' } });

    expect(query({ action: 'customer.delete-everything' })).toEqual({
      ok: false,
      fieldErrors: { action: 'auditFilter.action' },
    });
    expect(query({ member: '<script>alert(1)</script>' })).toMatchObject({
      fieldErrors: { member: 'auditFilter.member' },
    });
    expect(query({ objectId: 'x'.repeat(10_000) })).toMatchObject({ fieldErrors: { objectId: 'auditFilter.tooLong' } });
    expect(query({ from: '2026-02-30' })).toMatchObject({ fieldErrors: { from: 'auditFilter.date' } });
    expect(query({ from: '2026-12-07', to: '2026-12-01' })).toMatchObject({
      fieldErrors: { to: 'auditFilter.dateOrder' },
    });
    expect(query({ before: '-1' })).toMatchObject({ fieldErrors: { before: 'auditFilter.cursor' } });
    expect(parseAuditQuery(new URLSearchParams('action=app.create&action=app.enable'))).toMatchObject({
      fieldErrors: { action: 'auditFilter.repeated' },
    });
  });

  it('turns filters back into the query of a link', () => {
    expect(auditFilterParams({ action: 'app.create', objectType: 'app' }).toString()).toBe(
      'action=app.create&objectType=app',
    );
  });
});

describe('the audit CSV', () => {
  it('holds the same rows as the page, with formulas defused', async () => {
    const alice = await member();
    const customer = await createCustomer({ email: uniqueEmail() });
    await audit(alice.actor, { action: 'staff.invite', objectId: '=HYPERLINK("http://evil")' });
    await audit(alice.actor, {
      action: 'customer.view',
      customerId: customer.id,
      reason: "=cmd|' /C calc'!A0",
    });

    const text = await csvText({ member: alice.id });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    const page = await listAuditRows({ member: alice.id });
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(page.rows.map((r) => r.id));

    // A spreadsheet would run these cells: each is prefixed with an apostrophe.
    expect(lines[1]).toContain(`'=cmd|' /C calc'!A0`);
    expect(lines[1]).toContain(customer.id);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).not.toMatch(/(^|,)=/m);
  });

  it("stops at the export's own audit row, which records the filters and keeps a customer's id only as a pseudonym", async () => {
    const officer = await member(['privacy-officer']);
    const customer = await createCustomer({ email: uniqueEmail() });
    await audit(officer.actor, { action: 'customer.find', customerId: customer.id, reason: 'DSR-2' });
    const filters: AuditFilters = { objectType: 'customer', objectId: customer.id, from: '2026-01-01' };
    const exportId = await auditTheExport(officer.actor, filters);
    await audit(officer.actor, { action: 'customer.view', customerId: customer.id, reason: 'DSR-2' });

    const row = await prisma.auditLog.findUniqueOrThrow({ where: { id: exportId } });
    expect(row).toMatchObject({ action: 'audit.export', actorStaffId: officer.id, objectType: 'audit' });
    expect(row.details).toEqual({
      objectType: 'customer',
      from: '2026-01-01',
      subject: subjectPseudonym(customer.id),
      limit: 100_000,
    });
    expect(JSON.stringify({ ...row, id: null })).not.toContain(customer.id);

    const lines = (await csvText(filters, exportId)).trimEnd().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['customer.find']);
  });
});
