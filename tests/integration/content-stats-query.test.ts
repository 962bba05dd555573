import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { clickRate, getContentStats } from '@/server/personalization/stats-query';
import { prisma } from '@/server/platform/db';

// The console's stats page reads content_stats per block, group and day
// (docs/decisions/035-personalization.md §4 "Measurement").

async function block(slot: string): Promise<{ objectId: string; key: string; revisions: string[] }> {
  const objectId = randomUUID();
  const key = `stats-${objectId.slice(0, 8)}`;
  await prisma.$executeRaw`INSERT INTO content_objects (id, type, key, slot) VALUES (${objectId}::uuid, 'block', ${key}, ${slot})`;
  const revisions: string[] = [];
  for (const number of [1, 2]) {
    const id = randomUUID();
    await prisma.$executeRaw`
      INSERT INTO content_revisions (id, object_id, number, body, author_label)
      VALUES (${id}::uuid, ${objectId}::uuid, ${number}, '{}'::jsonb, 'test')`;
    revisions.push(id);
  }
  return { objectId, key, revisions };
}

async function stat(
  day: string,
  revisionId: string,
  group: string,
  impressions: number,
  clicks: number,
  channel = 'portal',
) {
  await prisma.$executeRaw`
    INSERT INTO content_stats (day, revision_id, slot, channel, "group", impressions, clicks)
    VALUES (${day}::date, ${revisionId}::uuid, 'hero', ${channel}, ${group}, ${impressions}, ${clicks})`;
}

describe('content stats', () => {
  it('sums revisions and channels per block, group and day, within the period only', async () => {
    const now = new Date('2031-03-10T23:59:00Z');
    const a = await block('hero');
    const b = await block('notice');
    await stat('2031-03-10', a.revisions[0]!, 'personalized', 100, 10);
    await stat('2031-03-10', a.revisions[1]!, 'personalized', 50, 5, 'mobile-app');
    await stat('2031-03-09', a.revisions[1]!, 'holdout', 40, 1);
    await stat('2031-03-04', a.revisions[1]!, 'no-consent', 7, 0);
    // Outside a 7-day period (2031-03-04 … 2031-03-10)
    await stat('2031-03-03', a.revisions[0]!, 'personalized', 1000, 1000);
    await stat('2031-03-09', b.revisions[0]!, 'personalized', 20, 2);

    const stats = await getContentStats({ days: 7, now });
    expect(stats.days).toEqual([
      '2031-03-04',
      '2031-03-05',
      '2031-03-06',
      '2031-03-07',
      '2031-03-08',
      '2031-03-09',
      '2031-03-10',
    ]);
    const first = stats.blocks.find((x) => x.objectId === a.objectId);
    expect(first).toEqual({
      objectId: a.objectId,
      key: a.key,
      slot: 'hero',
      total: { impressions: 197, clicks: 16 },
      byGroup: {
        personalized: { impressions: 150, clicks: 15 },
        holdout: { impressions: 40, clicks: 1 },
        'no-consent': { impressions: 7, clicks: 0 },
      },
    });
    expect(stats.daily['2031-03-09']).toEqual({
      holdout: { impressions: 40, clicks: 1 },
      personalized: { impressions: 20, clicks: 2 },
    });
    expect(stats.daily['2031-03-05']).toEqual({});

    const one = await getContentStats({ days: 7, now, objectId: a.objectId });
    expect(one.daily['2031-03-09']).toEqual({ holdout: { impressions: 40, clicks: 1 } });
    expect(one.blocks.map((x) => x.objectId).sort()).toEqual([a.objectId, b.objectId].sort());
  });

  it('has nothing for a period without figures, and no rate without impressions', async () => {
    const stats = await getContentStats({ days: 7, now: new Date('2040-01-01T00:00:00Z') });
    expect(stats.blocks).toEqual([]);
    expect(Object.values(stats.daily).every((d) => Object.keys(d).length === 0)).toBe(true);
    expect(clickRate(undefined)).toBeNull();
    expect(clickRate({ impressions: 0, clicks: 0 })).toBeNull();
    expect(clickRate({ impressions: 4, clicks: 1 })).toBe(0.25);
  });
});
