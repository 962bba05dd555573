import { beforeAll, describe, expect, it } from 'vitest';

import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { deleteSignals, listOwnSignals, recordSignal } from '@/server/personalization/signals';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { registerApp } from './api-helpers';
import { uniqueEmail } from './helpers';
import { answerPersonalization, signalTrace } from './personalization-writes-helpers';

const DAY = 24 * 60 * 60 * 1000;

const trace = signalTrace;

async function grantedCustomer() {
  const { id } = await createCustomer({ email: uniqueEmail('signals') });
  await answerPersonalization(id, true);
  return id;
}

beforeAll(async () => {
  await ensureConsentPurposes();
  await applyPersonalizationReferenceData();
});

describe('recordSignal', () => {
  it('stores a signal while personalization is granted, bumps the version, writes one event', async () => {
    const id = await grantedCustomer();
    const { app } = await registerApp({ tag: 'signals' });
    const occurredAt = new Date(Date.now() - DAY);
    const result = await recordSignal(
      id,
      { kind: 'cart-added', category: 'running', item: 'SKU-42', occurredAt },
      { app: { id: app.id, name: app.name } },
    );
    expect(result).toEqual({ ok: true, id: expect.stringMatching(/^\d+$/) });
    const signalId = (result as { id: string }).id;

    const [row] = await listOwnSignals(id);
    expect(row).toEqual({
      id: signalId,
      kind: 'cart-added',
      category: 'running',
      item: 'SKU-42',
      occurredAt,
      receivedAt: expect.any(Date),
      source: app.name,
      countsUntil: new Date(occurredAt.getTime() + 90 * DAY),
      counts: true,
    });
    expect(await trace(id)).toEqual({ signals: 1, events: 1, version: 1 });
    const event = await prisma.outboxEvent.findFirstOrThrow({
      where: { customerId: id, type: 'customer.signal_recorded' },
      select: { payload: true },
    });
    expect(event.payload).toEqual({ customerId: id, signalId });

    // The portal's own signal, occurredAt defaulted to now.
    expect(await recordSignal(id, { kind: 'viewed', category: 'yoga' }, { app: null })).toMatchObject({ ok: true });
    const [latest] = await listOwnSignals(id);
    expect(latest).toMatchObject({ kind: 'viewed', source: 'portal', item: null });
    expect(Math.abs(latest!.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);

    // Withdrawing the app: its signals stop counting, and are still listed.
    await setAppAccess(id, app.id, false);
    expect((await listOwnSignals(id)).map((s) => [s.source, s.counts])).toEqual([
      ['portal', true],
      [app.name, false],
    ]);
  });

  it('stores nothing without the grant: never answered, or withdrawn', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('signals') });
    expect(await recordSignal(id, { kind: 'viewed', category: 'running' }, { app: null })).toEqual({
      ok: false,
      error: 'not-granted',
    });
    await answerPersonalization(id, true);
    await answerPersonalization(id, false);
    expect(await recordSignal(id, { kind: 'viewed', category: 'running' }, { app: null })).toEqual({
      ok: false,
      error: 'not-granted',
    });
    expect(await trace(id)).toMatchObject({ signals: 0, events: 0 });
  });

  it('refuses unknown and retired categories, bad items, and times out of bounds, storing nothing', async () => {
    const id = await grantedCustomer();
    await prisma.category.upsert({
      where: { key: 'retired-signal' },
      create: { key: 'retired-signal', labelEn: 'Old', labelFr: 'Vieux', sortOrder: 97, retiredAt: new Date() },
      update: { retiredAt: new Date() },
    });
    const now = new Date();
    const refused: Array<[Parameters<typeof recordSignal>[1], string, string]> = [
      [{ kind: 'viewed', category: 'curling' }, '/category', 'signal.category'],
      [{ kind: 'viewed', category: 'retired-signal' }, '/category', 'signal.category'],
      [{ kind: 'viewed', category: 'Running!' }, '/category', 'signal.category'],
      [{ kind: 'liked' as never, category: 'running' }, '/kind', 'signal.kind'],
      [{ kind: 'viewed', category: 'running', item: 'x'.repeat(65) }, '/item', 'signal.item'],
      [{ kind: 'viewed', category: 'running', item: 'a\u202eb' }, '/item', 'signal.item'],
      [
        { kind: 'viewed', category: 'running', occurredAt: new Date(now.getTime() + 6 * 60_000) },
        '/occurredAt',
        'signal.occurredAt.future',
      ],
      [
        { kind: 'viewed', category: 'running', occurredAt: new Date(now.getTime() - 90 * DAY) },
        '/occurredAt',
        'signal.occurredAt.tooOld',
      ],
    ];
    for (const [input, path, message] of refused) {
      expect(await recordSignal(id, input, { app: null, now }), message).toEqual({
        ok: false,
        error: 'invalid',
        issues: [{ path, message }],
      });
    }
    // Within the bounds: four minutes ahead, and just inside the retention.
    for (const occurredAt of [new Date(now.getTime() + 4 * 60_000), new Date(now.getTime() - 90 * DAY + 60_000)])
      expect(
        await recordSignal(id, { kind: 'viewed', category: 'running', occurredAt }, { app: null, now }),
      ).toMatchObject({
        ok: true,
      });
    expect((await trace(id)).signals).toBe(2);
  });

  it('writes nothing when authorize refuses, and is not found for an unknown customer', async () => {
    const id = await grantedCustomer();
    await expect(
      recordSignal(
        id,
        { kind: 'viewed', category: 'running' },
        {
          app: null,
          authorize: async () => {
            throw new Error('refused');
          },
        },
      ),
    ).rejects.toThrow('refused');
    expect(await trace(id)).toEqual({ signals: 0, events: 0, version: 0 });
    expect(
      await recordSignal(
        '00000000-0000-4000-8000-000000000000',
        { kind: 'viewed', category: 'running' },
        { app: null },
      ),
    ).toEqual({ ok: false, error: 'not-found' });
  });
});

describe('the withdrawal of personalization', () => {
  it("deletes the customer's signals in the withdrawal's transaction (the migration's trigger), and only theirs", async () => {
    const id = await grantedCustomer();
    const other = await grantedCustomer();
    for (const customer of [id, other]) {
      await recordSignal(customer, { kind: 'viewed', category: 'running' }, { app: null });
      await recordSignal(customer, { kind: 'purchased', category: 'yoga' }, { app: null });
    }
    const before = await trace(id);
    await answerPersonalization(id, false);
    expect(await trace(id)).toEqual({ ...before, signals: 0, version: before.version + 1 });
    expect((await trace(other)).signals).toBe(2);
  });
});

describe('deleteSignals', () => {
  it("deletes the customer's own signals by id or all, with one event naming them; another's ids are ignored", async () => {
    const id = await grantedCustomer();
    const other = await grantedCustomer();
    const ids: string[] = [];
    for (const category of ['running', 'yoga', 'hiking']) {
      const r = await recordSignal(id, { kind: 'viewed', category }, { app: null });
      ids.push((r as { id: string }).id);
    }
    const foreign = (await recordSignal(other, { kind: 'viewed', category: 'running' }, { app: null })) as {
      id: string;
    };

    expect(await deleteSignals(id, [ids[0]!, foreign.id, 'not-an-id'])).toBe(1);
    expect((await trace(other)).signals).toBe(1);
    expect(await deleteSignals(id, 'all')).toBe(2);
    expect(await deleteSignals(id, 'all')).toBe(0);
    const events = await prisma.outboxEvent.findMany({
      where: { customerId: id, type: 'customer.signals_deleted' },
      orderBy: { id: 'asc' },
      select: { payload: true },
    });
    expect(events.map((e) => (e.payload as { ids: string[] }).ids)).toEqual([[ids[0]], [ids[1], ids[2]]]);
    expect(await trace(id)).toMatchObject({ signals: 0, version: 5 });
  });
});
