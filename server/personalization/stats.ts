import 'server-only';

import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import type { Decision } from '@/lib/personalization/decision';
import { getPool } from '@/server/platform/db';
import { errorMessage, getLogger } from '@/server/platform/log';

// Impressions and clicks per day, revision, slot, channel and group (content_stats):
// no customer, nothing finer than a day. Counted in memory and written every 10 s by one
// upsert: a counter row updated in each request would queue every request behind the
// previous commit (ADR 016). Up to 10 s are lost on a crash; a graceful stop flushes
// (scripts/http-server.ts). docs/decisions/035-personalization.md §4 "Measurement"

export const STATS_GROUPS = ['personalized', 'holdout', 'no-consent'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

const FLUSH_EVERY_MS = 10_000;

type Counts = { impressions: number; clicks: number };
type State = { pending: Map<string, Counts>; timer?: NodeJS.Timeout; flushing?: Promise<void> };

// On globalThis: Next's bundle counts, and scripts/http-server.ts's own copy of this
// module flushes at shutdown; both must see the same counters.
const STATE = Symbol.for('accord.contentStats');
function state(): State {
  const g = globalThis as { [STATE]?: State };
  g[STATE] ??= { pending: new Map() };
  return g[STATE];
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

function add(revisionId: string, slot: Slot, channel: string, group: StatsGroup, counts: Counts, at: Date) {
  const s = state();
  const key = JSON.stringify([dayOf(at), revisionId, slot, channel, group]);
  const current = s.pending.get(key) ?? { impressions: 0, clicks: 0 };
  current.impressions += counts.impressions;
  current.clicks += counts.clicks;
  s.pending.set(key, current);
  if (!s.timer) {
    s.timer = setInterval(() => void flushContentStats(), FLUSH_EVERY_MS);
    // Never keeps a process (a CLI, a test) alive on its own.
    s.timer.unref();
  }
}

/** One impression per block shown. `off` is not measured (no group to compare with). */
export function countImpressions(decision: Decision, channel: string, at = new Date()): void {
  if (decision.mode === 'off') return;
  const group = decision.mode;
  for (const slot of SLOT_KEYS) {
    for (const block of decision.slots[slot] ?? []) {
      add(block.revisionId, slot, channel, group, { impressions: 1, clicks: 0 }, at);
    }
  }
}

export function countClick(revisionId: string, slot: Slot, channel: string, group: StatsGroup, at = new Date()): void {
  add(revisionId, slot, channel, group, { impressions: 0, clicks: 1 }, at);
}

const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/**
 * A click on a block's call to action (app/account/go/[revision]): the URL stored in that
 * revision, never one from the request; null when the id is not a block revision with one.
 * Counted when the group given is one of ours (the link carries it from the decision).
 */
export async function followClick(
  revisionId: string,
  group: string | null,
  channel = 'portal',
): Promise<{ url: string } | null> {
  if (!isUuid(revisionId)) return null;
  const { rows } = await getPool().query<{ slot: string; url: string | null }>({
    name: 'content-click-target',
    text: `SELECT o.slot, r.body #>> '{cta,url}' AS url
      FROM content_revisions r JOIN content_objects o ON o.id = r.object_id AND o.type = 'block'
      WHERE r.id = $1::uuid`,
    values: [revisionId],
  });
  const row = rows[0];
  if (!row?.url) return null;
  if ((STATS_GROUPS as readonly string[]).includes(group ?? '') && (SLOT_KEYS as string[]).includes(row.slot)) {
    countClick(revisionId, row.slot as Slot, channel, group as StatsGroup);
  }
  return { url: row.url };
}

/** Writes what was counted in one statement; on failure the counts wait for the next flush. */
export async function flushContentStats(): Promise<void> {
  const s = state();
  // One flush at a time: a second caller waits for it, then writes what came meanwhile.
  while (s.flushing) await s.flushing;
  if (s.pending.size === 0) return;
  const batch = s.pending;
  s.pending = new Map();
  s.flushing = write(batch)
    .catch((error: unknown) => {
      for (const [key, counts] of batch) {
        const current = s.pending.get(key) ?? { impressions: 0, clicks: 0 };
        s.pending.set(key, {
          impressions: current.impressions + counts.impressions,
          clicks: current.clicks + counts.clicks,
        });
      }
      getLogger().warn(
        { component: 'content-stats' },
        `content stats not written, kept for later: ${errorMessage(error)}`,
      );
    })
    .finally(() => {
      s.flushing = undefined;
    });
  await s.flushing;
}

async function write(batch: Map<string, Counts>): Promise<void> {
  const columns: [string[], string[], string[], string[], string[], number[], number[]] = [[], [], [], [], [], [], []];
  for (const [key, counts] of batch) {
    const values = JSON.parse(key) as [string, string, string, string, string];
    values.forEach((v, i) => (columns[i] as string[]).push(v));
    columns[5].push(counts.impressions);
    columns[6].push(counts.clicks);
  }
  await getPool().query({
    name: 'content-stats-flush',
    text: `INSERT INTO content_stats AS s (day, revision_id, slot, channel, "group", impressions, clicks)
      SELECT * FROM unnest($1::date[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
        AS u(day, revision_id, slot, channel, grp, impressions, clicks)
      -- A revision unknown here (another database's) would fail the whole batch for ever.
      WHERE EXISTS (SELECT 1 FROM content_revisions r WHERE r.id = u.revision_id)
      ON CONFLICT (day, revision_id, slot, channel, "group") DO UPDATE
        SET impressions = s.impressions + excluded.impressions, clicks = s.clicks + excluded.clicks`,
    values: columns,
  });
}
