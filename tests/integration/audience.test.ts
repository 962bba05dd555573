// countAudience (docs/decisions/035-personalization.md §3, the lead's decision 1): population,
// granted, matching among granted, reachable outside the holdout, a masked sample with tokens.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { AudienceTimeoutError, countAudience, resolveSampleToken } from '@/server/personalization/audience';
import { getPool, prisma } from '@/server/platform/db';

import { prepareReferenceData, receipt } from './personalization-data';

const RULE = { interests: { $in: ['running'] } };
type Seeded = { id: string; grant: 'granted' | 'refused' | 'none'; runs: boolean };

async function seed(groups: Array<[number, Seeded['grant'], boolean]>): Promise<Seeded[]> {
  const rows = groups.flatMap(([n, grant, runs]) =>
    Array.from({ length: n }, () => ({ id: randomUUID(), grant, runs })),
  );
  await prisma.user.createMany({ data: rows.map((r) => ({ id: r.id, email: `jane.${r.id}@example.fr` })) });
  await prisma.consentReceipt.createMany({
    data: rows.filter((r) => r.grant !== 'none').map((r) => receipt(r.id, r.grant === 'granted')),
  });
  await prisma.customerPreference.createMany({
    data: rows.map((r) => ({
      customerId: r.id,
      name: 'interest',
      value: r.runs ? 'running' : 'yoga',
      channel: 'portal',
    })),
  });
  return rows;
}

beforeAll(prepareReferenceData);

describe('countAudience', () => {
  it('evaluates only customers whose grant is in effect', async () => {
    const before = await countAudience(RULE, {});
    await seed([
      [8, 'granted', true],
      [3, 'granted', false],
      [2, 'refused', true],
      [2, 'none', true],
    ]);
    const after = await countAudience(RULE, {});
    expect({
      population: after.population - before.population,
      granted: after.granted - before.granted,
      matching: after.matching - before.matching,
      reachable: after.reachable - before.reachable,
    }).toEqual({ population: 15, granted: 11, matching: 8, reachable: 8 });

    const segmentRule = { $savedGroup: { id: 'runners' } };
    expect((await countAudience(segmentRule, { runners: RULE })).matching).toBe(after.matching);
    expect((await countAudience(segmentRule, {})).matching).toBe(0);
    expect((await countAudience({}, {})).matching).toBe(after.granted);
  });

  it('gives a masked sample whose tokens stand for matching customers, for ten minutes', async () => {
    const seeded = await seed([
      [6, 'granted', true],
      [2, 'refused', true],
    ]);
    const estimate = await countAudience(RULE, {});
    expect(estimate.sample).toHaveLength(5);
    const refused = new Set(seeded.filter((s) => s.grant === 'refused').map((s) => s.id));
    const matching = await getPool().query<{ id: string }>(
      `SELECT customer_id AS id FROM customer_preferences WHERE name = 'interest' AND value = 'running'`,
    );
    const runners = new Set(matching.rows.map((r) => r.id));
    for (const s of estimate.sample) {
      const id = resolveSampleToken(s.token);
      expect(id).not.toBeNull();
      expect(runners.has(id!)).toBe(true);
      expect(refused.has(id!)).toBe(false);
      if (s.maskedEmail.startsWith('j')) expect(s.maskedEmail).toBe('j•••@e•••.fr');
      expect(s.maskedEmail).toMatch(/^.•••@.•••(\..+)?$/);
      expect(s.maskedEmail).not.toContain(id!.slice(0, 4));
    }

    const token = estimate.sample[0]!.token;
    const forged = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    expect(resolveSampleToken(forged)).toBeNull();
    expect(resolveSampleToken('not a token')).toBeNull();
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 10 * 60 * 1000 + 1000);
    try {
      expect(resolveSampleToken(token)).toBeNull();
    } finally {
      clock.mockRestore();
    }
  });

  describe('with a holdout', () => {
    let previous: string | null = null;
    let objectId: string;
    beforeAll(async () => {
      const object = await prisma.contentObject.upsert({
        where: { type_key: { type: 'settings', key: 'settings' } },
        create: { type: 'settings', key: 'settings' },
        update: {},
        select: { id: true, liveRevisionId: true },
      });
      objectId = object.id;
      previous = object.liveRevisionId;
      const number = (await prisma.contentRevision.count({ where: { objectId } })) + 1;
      const revision = await prisma.contentRevision.create({
        data: { objectId, number, body: { holdoutPercent: 30 }, authorLabel: 'cli:test' },
        select: { id: true },
      });
      await prisma.contentObject.update({ where: { id: objectId }, data: { liveRevisionId: revision.id } });
    });
    afterAll(async () => {
      await prisma.contentObject.update({ where: { id: objectId }, data: { liveRevisionId: previous } });
    });

    it('counts as reachable only the matching customers outside it', async () => {
      const estimate = await countAudience(RULE, {});
      const { rows } = await getPool().query<{ reachable: number }>(
        `SELECT count(*)::int AS reachable FROM customer_preferences p
         JOIN accord_current_consent_rows k ON k.customer_id = p.customer_id AND k.purpose_key = 'personalization' AND k.granted
         WHERE p.name = 'interest' AND p.value = 'running' AND accord_holdout_bucket(p.customer_id) >= 3000`,
      );
      expect(estimate.reachable).toBe(rows[0]!.reachable);
      expect(estimate.reachable).toBeLessThan(estimate.matching);
    });
  });
});

describe('countAudience past its time limit', () => {
  it('throws AudienceTimeoutError, not a database error', async () => {
    const pool = getPool();
    const connect = pool.connect.bind(pool);
    // A statement slower than the 5 s limit in place of the estimate's (the second query).
    const spy = vi.spyOn(pool, 'connect').mockImplementation((async () => {
      const client = await connect();
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      let n = 0;
      Object.assign(client, {
        query: (...args: unknown[]) => (n++ === 1 ? query('SELECT pg_sleep(6)') : query(...args)),
      });
      return client;
    }) as unknown as typeof pool.connect);
    try {
      await expect(countAudience(RULE, {})).rejects.toBeInstanceOf(AudienceTimeoutError);
    } finally {
      spy.mockRestore();
    }
  });
});
