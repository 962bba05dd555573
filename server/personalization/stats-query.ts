import 'server-only';

import type { Slot } from '@/lib/personalization/catalogue';
import { prisma } from '@/server/platform/db';

// The console's measurement page (docs/decisions/035-personalization.md §4 "Measurement", §6):
// content_stats summed per block, group and day. The table holds no customer, so reading it is
// not a read of anyone's data: not logged.

export const STATS_GROUPS = ['personalized', 'holdout', 'no-consent', 'off'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];
export const STATS_PERIODS = [7, 30, 90] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

export type Counts = { impressions: number; clicks: number };

export type BlockStats = {
  objectId: string;
  key: string;
  slot: Slot | null;
  total: Counts;
  byGroup: Partial<Record<StatsGroup, Counts>>;
};

export type ContentStats = {
  /** Every day of the period, oldest first, as YYYY-MM-DD (UTC): days without figures count 0. */
  days: string[];
  blocks: BlockStats[];
  /** Per day and group, over the blocks asked for (one block, or all). */
  daily: Record<string, Partial<Record<StatsGroup, Counts>>>;
};

function isGroup(value: string): value is StatsGroup {
  return (STATS_GROUPS as readonly string[]).includes(value);
}

function add(into: Partial<Record<StatsGroup, Counts>>, group: StatsGroup, counts: Counts): void {
  const current = (into[group] ??= { impressions: 0, clicks: 0 });
  current.impressions += counts.impressions;
  current.clicks += counts.clicks;
}

/** Clicks per impression, or null when nothing was shown (not 0 %: nothing to compare). */
export function clickRate(counts: Counts | undefined): number | null {
  return counts && counts.impressions > 0 ? counts.clicks / counts.impressions : null;
}

/**
 * The last `days` days up to `now`'s day (UTC) included. `objectId` narrows the daily series to one
 * block; the per-block totals always list every block with figures in the period.
 */
export async function getContentStats(
  options: { days?: StatsPeriod; objectId?: string | null; now?: Date } = {},
): Promise<ContentStats> {
  const period = options.days ?? 30;
  const now = options.now ?? new Date();
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: period }, (_, i) =>
    new Date(last - (period - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  // One row per day, block and group; summed over revisions, slots and channels.
  const rows = await prisma.$queryRaw<
    Array<{
      day: string;
      objectId: string;
      key: string;
      slot: string | null;
      group: string;
      impressions: number;
      clicks: number;
    }>
  >`
    SELECT to_char(s.day, 'YYYY-MM-DD') AS day, o.id::text AS "objectId", o.key, o.slot, s."group",
           sum(s.impressions)::float8 AS impressions, sum(s.clicks)::float8 AS clicks
      FROM content_stats s
      JOIN content_revisions r ON r.id = s.revision_id
      JOIN content_objects o ON o.id = r.object_id
     WHERE s.day BETWEEN ${days[0]}::date AND ${days[days.length - 1]}::date
     GROUP BY s.day, o.id, o.key, o.slot, s."group"
     ORDER BY s.day`;

  const blocks = new Map<string, BlockStats>();
  const daily: ContentStats['daily'] = Object.fromEntries(days.map((d) => [d, {}]));
  for (const row of rows) {
    const counts = { impressions: row.impressions, clicks: row.clicks };
    const group = isGroup(row.group) ? row.group : null;
    const block = blocks.get(row.objectId) ?? {
      objectId: row.objectId,
      key: row.key,
      slot: row.slot as Slot | null,
      total: { impressions: 0, clicks: 0 },
      byGroup: {},
    };
    blocks.set(row.objectId, block);
    block.total.impressions += counts.impressions;
    block.total.clicks += counts.clicks;
    if (!group) continue;
    add(block.byGroup, group, counts);
    if (!options.objectId || options.objectId === row.objectId) add(daily[row.day]!, group, counts);
  }
  return {
    days,
    blocks: [...blocks.values()].sort(
      (a, b) => (a.slot ?? '').localeCompare(b.slot ?? '') || a.key.localeCompare(b.key),
    ),
    daily,
  };
}
