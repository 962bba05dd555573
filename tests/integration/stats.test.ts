import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { BlockView, Decision } from '@/lib/personalization/decision';
import { countImpressions, flushContentStats, followClick } from '@/server/personalization/stats';
import { prisma } from '@/server/platform/db';

import { publishBlock, publishContent, uniqueKey } from './decision-helpers';

async function statsOf(revisionId: string) {
  return prisma.$queryRaw<
    Array<{ day: string; slot: string; channel: string; group: string; impressions: number; clicks: number }>
  >`SELECT day::text, slot, channel, "group", impressions::int, clicks::int
    FROM content_stats WHERE revision_id = ${revisionId}::uuid ORDER BY channel, "group"`;
}

function decisionShowing(mode: Decision['mode'], ...blocks: Array<{ revisionId: string; slot: BlockView['slot'] }>) {
  const slots: Decision['slots'] = {};
  for (const b of blocks) (slots[b.slot] ??= []).push({ revisionId: b.revisionId, slot: b.slot } as BlockView);
  return { customerId: randomUUID(), mode, contentVersion: 1, locale: 'en', slots, etag: '"x"' } satisfies Decision;
}

const today = () => new Date().toISOString().slice(0, 10);

describe('content stats', () => {
  it('counts impressions per revision, slot, channel and group, and adds up across flushes', async () => {
    const hero = { ...(await publishBlock('hero')), slot: 'hero' as const };
    const tip = { ...(await publishBlock('you-might-like')), slot: 'you-might-like' as const };
    countImpressions(decisionShowing('personalized', hero, tip), 'portal');
    countImpressions(decisionShowing('personalized', hero), 'portal');
    countImpressions(decisionShowing('holdout', hero), 'portal');
    countImpressions(decisionShowing('no-consent', hero), 'shop-app');
    // Not measured: no group to compare with.
    countImpressions(decisionShowing('off', hero), 'portal');
    expect(await statsOf(hero.revisionId)).toEqual([]);

    await flushContentStats();
    expect(await statsOf(hero.revisionId)).toEqual([
      { day: today(), slot: 'hero', channel: 'portal', group: 'holdout', impressions: 1, clicks: 0 },
      { day: today(), slot: 'hero', channel: 'portal', group: 'personalized', impressions: 2, clicks: 0 },
      { day: today(), slot: 'hero', channel: 'shop-app', group: 'no-consent', impressions: 1, clicks: 0 },
    ]);
    expect(await statsOf(tip.revisionId)).toEqual([
      { day: today(), slot: 'you-might-like', channel: 'portal', group: 'personalized', impressions: 1, clicks: 0 },
    ]);

    countImpressions(decisionShowing('personalized', hero), 'portal');
    await Promise.all([flushContentStats(), flushContentStats()]);
    await flushContentStats();
    expect((await statsOf(hero.revisionId)).find((r) => r.group === 'personalized')?.impressions).toBe(3);
  });

  it('drops counts of a revision this database does not hold instead of failing the batch', async () => {
    const hero = { ...(await publishBlock('hero')), slot: 'hero' as const };
    countImpressions(decisionShowing('personalized', { revisionId: randomUUID(), slot: 'hero' }, hero), 'portal');
    await flushContentStats();
    expect(await statsOf(hero.revisionId)).toHaveLength(1);
  });
});

describe('followClick (the go route)', () => {
  it("answers the revision's stored URL and counts the click in the group given", async () => {
    const block = await publishBlock('cross-sell', {
      cta: { label: { en: 'Go', fr: 'Aller' }, url: 'https://shop.example/cross' },
    });
    expect(await followClick(block.revisionId, 'personalized')).toEqual({ url: 'https://shop.example/cross' });
    expect(await followClick(block.revisionId, 'holdout')).toEqual({ url: 'https://shop.example/cross' });
    // A group we do not know is not counted, but the link still works.
    expect(await followClick(block.revisionId, 'made-up')).toEqual({ url: 'https://shop.example/cross' });
    expect(await followClick(block.revisionId, null)).toEqual({ url: 'https://shop.example/cross' });
    await flushContentStats();
    expect(await statsOf(block.revisionId)).toEqual([
      { day: today(), slot: 'cross-sell', channel: 'portal', group: 'holdout', impressions: 0, clicks: 1 },
      { day: today(), slot: 'cross-sell', channel: 'portal', group: 'personalized', impressions: 0, clicks: 1 },
    ]);
  });

  it('is null for an unknown id, a malformed one, a segment revision or a block without a call to action', async () => {
    const noCta = await publishBlock('notice', { cta: null });
    const segment = await publishContent('segment', uniqueKey('seg'), null, {
      name: 'Runners',
      rule: { interests: { $in: ['running'] } },
      cta: { url: 'https://evil.example' },
    });
    expect(await followClick(randomUUID(), 'personalized')).toBeNull();
    expect(await followClick('not-a-uuid', 'personalized')).toBeNull();
    expect(await followClick(segment.revisionId, 'personalized')).toBeNull();
    expect(await followClick(noCta.revisionId, 'personalized')).toBeNull();
    await flushContentStats();
    expect(await statsOf(noCta.revisionId)).toEqual([]);
  });
});
