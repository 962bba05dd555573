import { beforeAll, describe, expect, it } from 'vitest';

import type { PreferencesInput } from '@/lib/validation/preferences';
import { getOwnPreferences, writePreferences } from '@/server/personalization/preferences';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { preferenceTrace } from './personalization-writes-helpers';

const EMPTY: PreferencesInput = {
  interests: [],
  favouriteStore: null,
  sizes: { clothing: null, shoes: null },
  channels: [],
};
const portal = (expectedVersion: number | null) => ({ channel: 'portal', appId: null, expectedVersion });

const trace = preferenceTrace;

beforeAll(async () => {
  await applyPersonalizationReferenceData();
});

describe('writePreferences', () => {
  it('replaces the values, keeps the provenance of a value sent again, writes history and one event', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    const first = await writePreferences(
      id,
      {
        interests: ['running', 'yoga'],
        favouriteStore: 'paris-rivoli',
        sizes: { clothing: 'M', shoes: null },
        channels: ['email'],
      },
      { channel: 'shop', appId: null, expectedVersion: 0 },
    );
    expect(first).toEqual({ ok: true, version: 1, changed: true });
    const before = await getOwnPreferences(id);
    const runningSetAt = before.interests.find((v) => v.value === 'running')!.setAt;

    const second = await writePreferences(
      id,
      {
        interests: ['running', 'hiking'],
        favouriteStore: 'lyon-part-dieu',
        sizes: { clothing: 'M', shoes: '42' },
        channels: ['email'],
      },
      portal(1),
    );
    expect(second).toEqual({ ok: true, version: 2, changed: true });

    const after = await getOwnPreferences(id);
    expect(after.version).toBe(2);
    // Sent again: still the app's, from the first write.
    expect(after.interests.find((v) => v.value === 'running')).toEqual({
      value: 'running',
      channel: 'shop',
      setAt: runningSetAt,
    });
    expect(after.interests.find((v) => v.value === 'hiking')).toMatchObject({ channel: 'portal' });
    expect(after.interests.map((v) => v.value).sort()).toEqual(['hiking', 'running']);
    expect(after.sizes.clothing).toMatchObject({ value: 'M', channel: 'shop' });
    expect(after.sizes.shoes).toMatchObject({ value: '42', channel: 'portal' });
    expect(after.favouriteStore).toMatchObject({ value: 'lyon-part-dieu', channel: 'portal' });
    expect(after.channels).toEqual([expect.objectContaining({ value: 'email', channel: 'shop' })]);

    const v2 = after.history
      .filter((h) => h.version === 2)
      .map(({ name, oldValue, newValue, channel }) => ({
        name,
        oldValue,
        newValue,
        channel,
      }));
    expect(v2).toEqual(
      expect.arrayContaining([
        { name: 'interest', oldValue: 'yoga', newValue: null, channel: 'portal' },
        { name: 'interest', oldValue: null, newValue: 'hiking', channel: 'portal' },
        { name: 'favouriteStore', oldValue: 'paris-rivoli', newValue: 'lyon-part-dieu', channel: 'portal' },
        { name: 'size.shoes', oldValue: null, newValue: '42', channel: 'portal' },
      ]),
    );
    expect(v2).toHaveLength(4);
    const events = await prisma.outboxEvent.findMany({
      where: { customerId: id, type: 'customer.preferences_updated' },
      orderBy: { id: 'asc' },
      select: { payload: true },
    });
    expect(events.map((e) => (e.payload as { names: string[] }).names)).toEqual([
      ['channel', 'favouriteStore', 'interest', 'size.clothing'],
      ['favouriteStore', 'interest', 'size.shoes'],
    ]);
  });

  it('writes nothing, not even a version, when nothing changes', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    await writePreferences(id, { ...EMPTY, interests: ['yoga', 'yoga'] }, portal(0));
    const before = await trace(id);
    expect(before).toEqual({ values: 1, history: 1, events: 1, version: 1 });
    expect(await writePreferences(id, { ...EMPTY, interests: ['yoga'] }, portal(1))).toEqual({
      ok: true,
      version: 1,
      changed: false,
    });
    expect(await trace(id)).toEqual(before);
  });

  it('refuses a stale version and writes nothing', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    await writePreferences(id, { ...EMPTY, interests: ['yoga'] }, portal(0));
    const before = await trace(id);
    expect(await writePreferences(id, { ...EMPTY, interests: ['tennis'] }, portal(0))).toEqual({
      ok: false,
      error: 'stale',
    });
    expect(await trace(id)).toEqual(before);
  });

  it('detects concurrent writers of the same version: one wins, the other is stale', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    const results = await Promise.all(
      ['yoga', 'tennis', 'cycling', 'swimming'].map((c) =>
        writePreferences(id, { ...EMPTY, interests: [c] }, portal(0)),
      ),
    );
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, version: 1, changed: true }]);
    expect(results.filter((r) => !r.ok)).toHaveLength(3);
    expect(await trace(id)).toMatchObject({ values: 1, events: 1, version: 1 });
  });

  it('refuses unknown or retired categories and stores, with JSON pointers and message keys, writing nothing', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    await prisma.category.upsert({
      where: { key: 'retired-test' },
      create: { key: 'retired-test', labelEn: 'Old', labelFr: 'Vieux', sortOrder: 99, retiredAt: new Date() },
      update: { retiredAt: new Date() },
    });
    const result = await writePreferences(
      id,
      { ...EMPTY, interests: ['running', 'curling', 'retired-test'], favouriteStore: 'atlantis' },
      portal(0),
    );
    expect(result).toEqual({
      ok: false,
      error: 'invalid',
      issues: [
        { path: '/interests/1', message: 'preferences.errors.interest' },
        { path: '/interests/2', message: 'preferences.errors.interest' },
        { path: '/favouriteStore', message: 'preferences.errors.store' },
      ],
    });
    expect(
      await writePreferences(id, { ...EMPTY, sizes: { clothing: 'XXXL', shoes: null } } as never, portal(0)),
    ).toEqual({
      ok: false,
      error: 'invalid',
      issues: [{ path: '/sizes/clothing', message: 'preferences.errors.size' }],
    });
    expect(await trace(id)).toEqual({ values: 0, history: 0, events: 0, version: 0 });
  });

  it('keeps a retired category the customer already holds when it is sent again', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    await prisma.category.upsert({
      where: { key: 'retiring-test' },
      create: { key: 'retiring-test', labelEn: 'Soon', labelFr: 'Bientôt', sortOrder: 98 },
      update: { retiredAt: null },
    });
    await writePreferences(id, { ...EMPTY, interests: ['retiring-test'] }, portal(0));
    await prisma.category.update({ where: { key: 'retiring-test' }, data: { retiredAt: new Date() } });
    expect(await writePreferences(id, { ...EMPTY, interests: ['retiring-test', 'yoga'] }, portal(1))).toEqual({
      ok: true,
      version: 2,
      changed: true,
    });
  });

  it('writes nothing when authorize refuses under the lock', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('prefs') });
    const refusal = new Error('refused');
    await expect(
      writePreferences(
        id,
        { ...EMPTY, interests: ['yoga'] },
        {
          ...portal(0),
          authorize: async () => {
            throw refusal;
          },
        },
      ),
    ).rejects.toBe(refusal);
    expect(await trace(id)).toEqual({ values: 0, history: 0, events: 0, version: 0 });
  });

  it('is not found for an unknown customer', async () => {
    expect(await writePreferences('00000000-0000-4000-8000-000000000000', EMPTY, portal(null))).toEqual({
      ok: false,
      error: 'not-found',
    });
  });
});
