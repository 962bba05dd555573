// loadAttributes (docs/decisions/035-personalization.md §5 step 3): the policy decides, only what
// is granted and asked is read, and what is read is logged in the same statement.
import { beforeAll, describe, expect, it } from 'vitest';

import { brand } from '@/lib/brand';
import type { Reader } from '@/server/consent/policy';
import { loadAttributes, retentionStart } from '@/server/personalization/attributes';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import {
  answerPersonalization,
  createTestApp,
  DAY,
  insertPreferences,
  insertSignals,
  prepareReferenceData,
} from './personalization-data';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const ALL = ['profile', 'preferences', 'signals'] as const;
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow);

async function logRows(customerId: string) {
  return prisma.dataAccessLog.findMany({
    where: { customerId },
    select: { accessorType: true, accessorId: true, accessorName: true, fields: true, purpose: true, reason: true },
    orderBy: { id: 'asc' },
  });
}

async function customer(options: { address?: boolean; granted?: boolean | null } = {}) {
  const c = await createCustomer({
    email: uniqueEmail('attributes'),
    locale: 'fr',
    address:
      options.address === false
        ? null
        : { line1: '1 rue de Rivoli', postalCode: '75001', city: 'Paris', country: 'FR' },
  });
  await prisma.user.update({ where: { id: c.id }, data: { createdAt: at(40 * DAY + 3_600_000) } });
  if (options.granted !== null) await answerPersonalization(c.id, options.granted ?? true, at(DAY));
  return c;
}

beforeAll(prepareReferenceData);

describe('loadAttributes', () => {
  it('reads profile, preferences and counted signals of a customer who granted, and logs the read', async () => {
    const app = await createTestApp();
    const c = await customer();
    await insertPreferences(c.id, [
      { name: 'interest', value: 'running' },
      { name: 'interest', value: 'yoga', appId: app.id },
      { name: 'channel', value: 'email' },
      { name: 'favouriteStore', value: 'paris-rivoli' },
      { name: 'size.clothing', value: 'M' },
    ]);
    await insertSignals(c.id, [
      { kind: 'viewed', category: 'hiking', occurredAt: at(3 * DAY) },
      { kind: 'cart-added', category: 'running', occurredAt: at(2 * DAY), appId: app.id },
      { kind: 'purchased', category: 'cycling', occurredAt: at(20 * DAY) },
    ]);
    await prisma.personalizationState.create({ data: { customerId: c.id, preferencesVersion: 3, signalsVersion: 5 } });
    const latestReceipt = await prisma.consentReceipt.findFirstOrThrow({
      where: { customerId: c.id, purposeKey: 'personalization' },
      select: { id: true },
    });

    const loaded = await loadAttributes({
      customerId: c.id,
      reader: 'portal',
      groups: [...ALL],
      now: NOW,
      reason: 'home page',
    });
    expect(loaded).toEqual({
      contentVersion: expect.any(Number),
      granted: true,
      attributes: {
        locale: 'fr',
        country: 'FR',
        memberDays: 40,
        favouriteStore: 'paris-rivoli',
        sizes: { clothing: 'M', shoes: null },
        interests: ['running', 'yoga'],
        channels: ['email'],
        signals: {
          viewed: { d1: [], d7: ['hiking'], d30: ['hiking'], d90: ['hiking'] },
          cartAdded: { d1: [], d7: ['running'], d30: ['running'], d90: ['running'] },
          purchased: { d1: [], d7: [], d30: ['cycling'], d90: ['cycling'] },
          inCart: { d1: [], d7: ['running'], d30: ['running'], d90: ['running'] },
        },
      },
      preferencesVersion: 3,
      signalsVersion: 5,
      consentReceiptId: latestReceipt.id,
      withdrawnApps: [],
    });
    expect(await logRows(c.id)).toEqual([
      {
        accessorType: 'personalization',
        accessorId: 'portal',
        accessorName: brand.name,
        fields: ['country', 'locale', 'memberSince', 'preferences', 'signals'],
        purpose: 'personalization',
        reason: 'home page',
      },
    ]);
  });

  it('reads and logs only the groups asked', async () => {
    const c = await customer();
    await insertPreferences(c.id, [{ name: 'interest', value: 'running' }]);
    await insertSignals(c.id, [{ kind: 'viewed', category: 'hiking', occurredAt: at(DAY / 2) }]);
    const loaded = await loadAttributes({
      customerId: c.id,
      reader: 'portal',
      groups: ['preferences'],
      now: NOW,
      reason: 'home page',
    });
    expect(loaded?.attributes?.interests).toEqual(['running']);
    expect(loaded?.attributes?.signals.viewed.d1).toEqual([]);
    expect(loaded?.attributes?.country).toBeNull();
    expect((await logRows(c.id)).map((r) => r.fields)).toEqual([['preferences']]);
  });

  it('reads and logs nothing without the grant (never answered, refused, withdrawn app)', async () => {
    const never = await customer({ granted: null });
    const refused = await customer({ granted: false });
    await insertPreferences(refused.id, [{ name: 'interest', value: 'running' }]);
    for (const c of [never, refused]) {
      const loaded = await loadAttributes({
        customerId: c.id,
        reader: 'portal',
        groups: [...ALL],
        now: NOW,
        reason: 'home page',
      });
      expect(loaded).toMatchObject({ granted: false, attributes: null, preferencesVersion: 0, consentReceiptId: null });
      expect(await logRows(c.id)).toEqual([]);
    }

    const app = await createTestApp();
    const reader: Reader = {
      accessor: { type: 'app', id: app.clientId, name: app.name },
      appId: app.id,
      fieldPurposes: {},
    };
    const granted = await customer();
    const loaded = await loadAttributes({
      customerId: granted.id,
      reader,
      groups: [...ALL],
      now: NOW,
      reason: 'content decision',
    });
    expect(loaded?.granted).toBe(true);
    expect((await logRows(granted.id)).map((r) => [r.accessorType, r.accessorId, r.reason])).toEqual([
      ['app', app.clientId, 'content decision'],
    ]);
    await prisma.appAccessWithdrawal.create({ data: { customerId: granted.id, appId: app.id } });
    const withdrawn = await loadAttributes({
      customerId: granted.id,
      reader,
      groups: [...ALL],
      now: NOW,
      reason: 'content decision',
    });
    expect(withdrawn).toMatchObject({ granted: false, attributes: null, withdrawnApps: [app.id] });
    expect(await logRows(granted.id)).toHaveLength(1);

    expect(
      await loadAttributes({
        customerId: crypto.randomUUID(),
        reader: 'portal',
        groups: [...ALL],
        now: NOW,
        reason: 'x',
      }),
    ).toBeNull();
  });

  it("ignores a withdrawn app's signals but keeps its preferences", async () => {
    const [kept, withdrawn] = [await createTestApp(), await createTestApp()];
    const c = await customer();
    await insertPreferences(c.id, [{ name: 'interest', value: 'tennis', appId: withdrawn.id }]);
    await insertSignals(c.id, [
      { kind: 'viewed', category: 'running', occurredAt: at(DAY / 2), appId: withdrawn.id },
      { kind: 'viewed', category: 'hiking', occurredAt: at(DAY / 2), appId: kept.id },
      { kind: 'viewed', category: 'yoga', occurredAt: at(DAY / 2) },
      // A removal by the withdrawn app does not take the site's addition out of the cart.
      { kind: 'cart-added', category: 'cycling', occurredAt: at(DAY / 2) },
      { kind: 'cart-removed', category: 'cycling', occurredAt: at(DAY / 4), appId: withdrawn.id },
    ]);
    await prisma.appAccessWithdrawal.create({ data: { customerId: c.id, appId: withdrawn.id } });
    const loaded = await loadAttributes({
      customerId: c.id,
      reader: 'portal',
      groups: [...ALL],
      now: NOW,
      reason: 'home page',
    });
    expect(loaded?.withdrawnApps).toEqual([withdrawn.id]);
    expect(loaded?.attributes?.interests).toEqual(['tennis']);
    expect(loaded?.attributes?.signals.viewed.d1).toEqual(['hiking', 'yoga']);
    expect(loaded?.attributes?.signals.inCart.d1).toEqual(['cycling']);
  });

  it('counts a signal strictly inside the retention and each window', async () => {
    const retention = NOW.getTime() - retentionStart(NOW).getTime();
    const c = await customer();
    await insertSignals(c.id, [
      { kind: 'viewed', category: 'running', occurredAt: at(retention) },
      { kind: 'viewed', category: 'hiking', occurredAt: at(retention - 1) },
      { kind: 'purchased', category: 'running', occurredAt: at(7 * DAY) },
      { kind: 'purchased', category: 'hiking', occurredAt: at(7 * DAY - 1) },
      { kind: 'cart-added', category: 'yoga', occurredAt: at(DAY) },
      { kind: 'cart-added', category: 'tennis', occurredAt: at(-60_000) },
    ]);
    const a = (await loadAttributes({ customerId: c.id, reader: 'portal', groups: ['signals'], now: NOW, reason: 'x' }))
      ?.attributes;
    // The default retention (90 days) is the d90 window: its edge is the retention's.
    expect(retention).toBe(90 * DAY);
    expect(a?.signals.viewed.d90).toEqual(['hiking']);
    expect(a?.signals.purchased).toEqual({
      d1: [],
      d7: ['hiking'],
      d30: ['hiking', 'running'],
      d90: ['hiking', 'running'],
    });
    // A signal a minute ahead (the API allows five) counts in every window.
    expect(a?.signals.cartAdded).toEqual({
      d1: ['tennis'],
      d7: ['tennis', 'yoga'],
      d30: ['tennis', 'yoga'],
      d90: ['tennis', 'yoga'],
    });
  });

  it('keeps in the cart only what was added after every removal or purchase', async () => {
    const c = await customer();
    await insertSignals(c.id, [
      // removed after: out
      { kind: 'cart-added', category: 'running', occurredAt: at(3 * DAY) },
      { kind: 'cart-removed', category: 'running', occurredAt: at(2 * DAY) },
      // added again after a removal: in
      { kind: 'cart-removed', category: 'hiking', occurredAt: at(3 * DAY) },
      { kind: 'cart-added', category: 'hiking', occurredAt: at(2 * DAY) },
      // bought after: out; the same instant: out
      { kind: 'cart-added', category: 'yoga', occurredAt: at(3 * DAY) },
      { kind: 'purchased', category: 'yoga', occurredAt: at(DAY) },
      { kind: 'cart-added', category: 'tennis', occurredAt: at(DAY) },
      { kind: 'cart-removed', category: 'tennis', occurredAt: at(DAY) },
      // added 10 days ago, still there: in d30 only
      { kind: 'cart-added', category: 'cycling', occurredAt: at(10 * DAY) },
    ]);
    const a = (await loadAttributes({ customerId: c.id, reader: 'portal', groups: ['signals'], now: NOW, reason: 'x' }))
      ?.attributes;
    expect(a?.signals.inCart).toEqual({
      d1: [],
      d7: ['hiking'],
      d30: ['cycling', 'hiking'],
      d90: ['cycling', 'hiking'],
    });
    expect(a?.signals.cartAdded.d7).toEqual(['hiking', 'running', 'tennis', 'yoga']);
  });

  it("runs in the caller's transaction", async () => {
    const c = await customer({ address: false });
    const loaded = await prisma.$transaction((tx) =>
      loadAttributes({ customerId: c.id, reader: 'portal', groups: [...ALL], now: NOW, reason: 'preview', db: tx }),
    );
    expect(loaded?.attributes).toMatchObject({ locale: 'fr', country: null, memberDays: 40, interests: [] });
    expect((await logRows(c.id)).map((r) => r.reason)).toEqual(['preview']);
  });
});
