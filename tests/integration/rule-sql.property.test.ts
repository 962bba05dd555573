// The SQL translator against the evaluator (docs/decisions/035-personalization.md §3): for seeded
// customers and generated rules, the ids toSql selects are exactly the ids whose attributes, from
// the production loader, satisfy GrowthBook's evalCondition. Set RULES_PROPERTY_SEED to replay.
import { randomUUID } from 'node:crypto';

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { SIGNAL_KINDS, type Attributes } from '@/lib/personalization/catalogue';
import { loadAttributes, retentionStart } from '@/server/personalization/attributes';
import { matches } from '@/server/personalization/evaluate';
import { toSql } from '@/server/personalization/rule-sql';
import { getPool, prisma } from '@/server/platform/db';

import { RULE_DOMAINS, ruleArbitrary, segmentsArbitrary } from '../personalization-arbitraries';
import { createTestApp, DAY, prepareReferenceData, receipt } from './personalization-data';

const SEED = Number(process.env.RULES_PROPERTY_SEED ?? Date.now() % 2 ** 31);
const NOW = new Date('2026-12-07T12:00:00.000Z');
const CUSTOMERS = 300;
const RULES = 200;
const SEGMENT_KEYS = ['runners', 'recent'];

// Instants around every window's edge (and the retention's, 90 days by default), ties included.
const EDGES = [1, 7, 30, 90].flatMap((d) => [d * DAY - 1, d * DAY, d * DAY + 1]);
const offset = fc.oneof(fc.constantFrom(...EDGES, -60_000, 0, 3 * DAY), fc.integer({ min: 0, max: 100 * DAY }));
const source = fc.constantFrom('site', 'site', 'kept', 'withdrawn');
const nullable = (values: readonly string[]) => fc.option(fc.constantFrom(...values), { nil: null });

const customerArbitrary = fc.record({
  locale: fc.constantFrom(...RULE_DOMAINS.locale),
  country: nullable(RULE_DOMAINS.country),
  ageMs: fc.oneof(
    fc.constantFrom(0, 1, 2, 29, 30, 31, 365).map((d) => d * DAY + 1),
    fc.integer({ min: 0, max: 400 * DAY }),
  ),
  grant: fc.constantFrom('granted', 'granted', 'granted', 'granted', 'refused', 'none'),
  withdrawsApp: fc.boolean(),
  interests: fc.subarray([...RULE_DOMAINS.category]),
  channels: fc.subarray([...RULE_DOMAINS.channel]),
  favouriteStore: nullable(RULE_DOMAINS.store),
  clothing: nullable(RULE_DOMAINS['size.clothing']),
  shoes: nullable(RULE_DOMAINS['size.shoes']),
  preferenceSource: source,
  signals: fc.array(
    fc.record({
      kind: fc.constantFrom(...SIGNAL_KINDS),
      category: fc.constantFrom(...RULE_DOMAINS.category),
      offset,
      source,
    }),
    { maxLength: 10 },
  ),
});

type Seeded = { ids: string[]; attributes: Map<string, Attributes> };

async function seed(): Promise<Seeded> {
  const [kept, withdrawn] = [await createTestApp(), await createTestApp()];
  const appOf = (s: string) => (s === 'kept' ? kept.id : s === 'withdrawn' ? withdrawn.id : null);
  const seeds = fc.sample(customerArbitrary, { seed: SEED, numRuns: CUSTOMERS });
  const rows = seeds.map((s) => ({ ...s, id: randomUUID() }));
  await prisma.user.createMany({
    data: rows.map((r) => ({
      id: r.id,
      email: `rules-${r.id}@example.test`,
      locale: r.locale,
      createdAt: new Date(NOW.getTime() - r.ageMs),
    })),
  });
  await prisma.address.createMany({
    data: rows
      .filter((r) => r.country)
      .map((r) => ({
        customerId: r.id,
        kind: 'home',
        line1: '1 rue',
        postalCode: '75001',
        city: 'Paris',
        country: r.country!,
      })),
  });
  await prisma.consentReceipt.createMany({
    data: rows
      .filter((r) => r.grant !== 'none')
      .map((r) => receipt(r.id, r.grant === 'granted', new Date(NOW.getTime() - DAY))),
  });
  await prisma.appAccessWithdrawal.createMany({
    data: rows.filter((r) => r.withdrawsApp).map((r) => ({ customerId: r.id, appId: withdrawn.id })),
  });
  await prisma.customerPreference.createMany({
    data: rows.flatMap((r) => {
      const appId = appOf(r.preferenceSource);
      const channel = appId ? 'app' : 'portal';
      return [
        ...r.interests.map((value) => ({ name: 'interest', value })),
        ...r.channels.map((value) => ({ name: 'channel', value })),
        ...(r.favouriteStore ? [{ name: 'favouriteStore', value: r.favouriteStore }] : []),
        ...(r.clothing ? [{ name: 'size.clothing', value: r.clothing }] : []),
        ...(r.shoes ? [{ name: 'size.shoes', value: r.shoes }] : []),
      ].map((p) => ({ ...p, customerId: r.id, appId, channel }));
    }),
  });
  await prisma.customerSignal.createMany({
    data: rows.flatMap((r) =>
      r.signals.map((s) => ({
        customerId: r.id,
        kind: s.kind,
        category: s.category,
        occurredAt: new Date(NOW.getTime() - s.offset),
        appId: appOf(s.source),
      })),
    ),
  });

  const attributes = new Map<string, Attributes>();
  for (const r of rows) {
    const loaded = await loadAttributes({
      customerId: r.id,
      reader: 'portal',
      groups: ['profile', 'preferences', 'signals'],
      now: NOW,
      reason: 'property test',
    });
    if (loaded?.attributes) attributes.set(r.id, loaded.attributes);
  }
  return { ids: rows.map((r) => r.id), attributes };
}

let seeded: Seeded;
beforeAll(async () => {
  console.log(`rule-sql property test: RULES_PROPERTY_SEED=${SEED}`);
  await prepareReferenceData();
  seeded = await seed();
}, 120_000);

describe('toSql', () => {
  it('selects exactly the customers the evaluator matches', { timeout: 120_000 }, async () => {
    const granted = [...seeded.attributes.keys()].sort();
    expect(granted.length).toBeGreaterThan(CUSTOMERS / 2);
    expect(granted.length).toBeLessThan(CUSTOMERS);
    const [segments] = fc.sample(segmentsArbitrary(SEGMENT_KEYS), { seed: SEED, numRuns: 1 });
    const rules = fc.sample(ruleArbitrary({ segmentKeys: SEGMENT_KEYS }), { seed: SEED + 1, numRuns: RULES });
    let discriminating = 0;
    for (const rule of rules) {
      const fragment = toSql(rule, segments!, { now: NOW, retentionStart: retentionStart(NOW), paramOffset: 1 });
      const { rows } = await getPool().query<{ id: string }>(
        `SELECT c.id FROM customers c WHERE c.id = ANY($1::uuid[]) AND ${fragment.sql} ORDER BY c.id`,
        [granted, ...fragment.params],
      );
      const expected = granted.filter((id) => matches(rule, seeded.attributes.get(id)!, segments!));
      const selected = rows.map((r) => r.id);
      if (selected.length > 0 && selected.length < granted.length) discriminating++;
      expect({ rule, selected: selected.sort() }, `seed ${SEED}: ${JSON.stringify({ rule, segments })}`).toEqual({
        rule,
        selected: expected.sort(),
      });
    }
    // The generated rules split the customers, rather than matching all or none.
    expect(discriminating).toBeGreaterThan(RULES / 4);
  });
});
