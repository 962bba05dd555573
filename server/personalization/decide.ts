import 'server-only';

import { createHash } from 'node:crypto';

import { SLOT_KEYS, SLOTS, type Leaf, type Slot } from '@/lib/personalization/catalogue';
import type { BlockView, CandidateOutcome, Decision, DecisionMode, Outcome } from '@/lib/personalization/decision';
import type { Reader } from '@/server/consent/policy';
import { getPool, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { loadAttributes, type AttributeGroup, type LoadedAttributes } from './attributes';
import { getContentSet, type ContentSet, type LiveBlock } from './content';
import { explain } from './evaluate';
import { inHoldout } from './holdout';
import { imageUrl } from './images';

// The one content decision: the home page, the decision API and the console's preview.
// docs/decisions/035-personalization.md §5

export type Via =
  /** The customer's own home page (accessor type personalization, id portal). */
  | { kind: 'portal' }
  /** The decision API: an app registered with the personalization purpose. */
  | { kind: 'app'; reader: Reader }
  /** A staff preview, in the caller's transaction (with its audit row); content: drafts to try. */
  | { kind: 'preview'; reader: Reader; tx: Tx; content?: ContentSet };

const REASONS = { portal: 'home page', app: 'content decision', preview: 'preview' } as const;

/** The portal's click-counting link (app/account/go/[revision]/route.ts). */
export function goUrl(revisionId: string, slot: Slot, mode: DecisionMode): string {
  const params = new URLSearchParams({ s: slot, ...(mode === 'off' ? {} : { g: mode }) });
  return `/account/go/${revisionId}?${params}`;
}

function withinSchedule(block: LiveBlock, now: Date): boolean {
  const { startsAt, endsAt } = block.body;
  return (!startsAt || Date.parse(startsAt) <= now.getTime()) && (!endsAt || now.getTime() < Date.parse(endsAt));
}

/** Highest priority first, then by key: the same order on every instance. */
const byPriority = (a: LiveBlock, b: LiveBlock) =>
  b.body.priority - a.body.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

type Chosen = { block: LiveBlock; why: Leaf[] };

/** A condition under $not or $nor that held did not make the block show: not a reason to give. */
const NEGATED = /\/\$(not|nor)(\/|$)/;

function chooseSlot(
  blocks: LiveBlock[],
  slot: Slot,
  mode: DecisionMode,
  content: ContentSet,
  attributes: LoadedAttributes['attributes'],
  now: Date,
): { chosen: Chosen[]; outcomes: CandidateOutcome[] } {
  const outcomes = new Map<LiveBlock, { outcome: Outcome; failed: Leaf[] }>();
  const matching: Chosen[] = [];
  const generic: LiveBlock[] = [];
  for (const block of blocks) {
    if (!withinSchedule(block, now)) outcomes.set(block, { outcome: 'outside-schedule', failed: [] });
    else if (block.body.generic) generic.push(block);
    else if (mode !== 'personalized') outcomes.set(block, { outcome: mode, failed: [] });
    else if (!attributes) outcomes.set(block, { outcome: 'no-consent', failed: [] });
    else {
      const result = explain(block.body.rule, attributes, content.segments);
      if (result.matched) matching.push({ block, why: result.held.filter((leaf) => !NEGATED.test(leaf.pointer)) });
      else outcomes.set(block, { outcome: 'rule-failed', failed: result.failed });
    }
  }
  const size = SLOTS[slot].size;
  const ranked = [
    ...matching.sort((a, b) => byPriority(a.block, b.block)),
    ...generic.sort(byPriority).map((block) => ({ block, why: [] })),
  ];
  const chosen = ranked.slice(0, size);
  for (const c of chosen) outcomes.set(c.block, { outcome: 'shown', failed: [] });
  for (const c of ranked.slice(size)) outcomes.set(c.block, { outcome: 'lower-priority', failed: [] });
  return {
    chosen,
    outcomes: blocks.map((block) => ({
      objectId: block.objectId,
      key: block.key,
      revisionId: block.revisionId,
      priority: block.body.priority,
      generic: block.body.generic,
      ...outcomes.get(block)!,
    })),
  };
}

// Images are stored by the sha256 of their bytes: an id's size never changes, so it is
// kept for the life of the process.
const imageSizes = new Map<string, { width: number; height: number }>();

async function loadImageSizes(ids: string[], db?: Tx): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !imageSizes.has(id));
  if (missing.length === 0) return;
  const sql = 'SELECT sha256, width, height FROM content_images WHERE sha256 = ANY($1::text[])';
  const rows = db
    ? await db.$queryRawUnsafe<Array<{ sha256: string; width: number; height: number }>>(sql, missing)
    : (await getPool().query<{ sha256: string; width: number; height: number }>(sql, [missing])).rows;
  for (const row of rows) imageSizes.set(row.sha256, { width: row.width, height: row.height });
}

function view(chosen: Chosen, mode: DecisionMode, locale: 'en' | 'fr', via: Via): BlockView {
  const { block, why } = chosen;
  const { body } = block;
  let image: BlockView['image'] = null;
  if (body.image) {
    const size = imageSizes.get(body.image.id);
    // An image the store does not hold (never uploaded there): the block shows without it.
    if (size) image = { url: imageUrl(body.image.id), alt: body.image.alt[locale], ...size };
  }
  return {
    objectId: block.objectId,
    key: block.key,
    slot: block.slot,
    revisionId: block.revisionId,
    title: body.title[locale],
    text: body.text[locale],
    image,
    cta: body.cta && {
      label: body.cta.label[locale],
      url: via.kind === 'portal' ? goUrl(block.revisionId, block.slot, mode) : body.cta.url,
    },
    generic: body.generic,
    why,
  };
}

/** An app declared for personalization: others get generic content, and nothing is read. */
function mayPersonalize(via: Via): boolean {
  if (via.kind !== 'app') return true;
  return Object.values(via.reader.fieldPurposes).some((purposes) => purposes?.includes('personalization'));
}

async function currentContentVersion(db?: Tx): Promise<number> {
  const sql = 'SELECT version FROM content_state WHERE id = 1';
  const rows = db
    ? await db.$queryRawUnsafe<Array<{ version: number }>>(sql)
    : (await getPool().query<{ version: number }>({ name: 'content-version', text: sql })).rows;
  return Number(rows[0]?.version ?? 0);
}

const covers = (loaded: AttributeGroup[], needed: AttributeGroup[]) => needed.every((g) => loaded.includes(g));

export async function decide(args: {
  customerId: string;
  locale: 'en' | 'fr';
  slots?: Slot[];
  via: Via;
  now?: Date;
  explain?: boolean;
}): Promise<Decision> {
  const { customerId, locale, via } = args;
  const now = args.now ?? new Date();
  const slots = args.slots ?? SLOT_KEYS;
  const fixedContent = via.kind === 'preview' ? via.content : undefined;
  let content = fixedContent ?? (await getContentSet());

  const db = via.kind === 'preview' ? via.tx : undefined;
  const load = (groups: AttributeGroup[]) =>
    loadAttributes({
      customerId,
      reader: via.kind === 'portal' ? 'portal' : via.reader,
      groups,
      now,
      reason: REASONS[via.kind],
      db,
    });

  let mode: DecisionMode = 'off';
  let loaded: LoadedAttributes | null = null;
  let loadedGroups: AttributeGroup[] | null = null;
  // A second pass only when content was published since this process loaded it.
  for (let pass = 0; pass < 2; pass++) {
    if (!getEnv().PERSONALIZATION_ENABLED) mode = 'off';
    else if (!mayPersonalize(via)) mode = 'no-consent';
    else if (inHoldout(customerId, content.settings.holdoutPercent)) mode = 'holdout';
    else {
      if (!loadedGroups || !covers(loadedGroups, content.groups)) {
        loaded = await load(content.groups);
        loadedGroups = content.groups;
      }
      mode = loaded?.granted ? 'personalized' : 'no-consent';
    }
    if (fixedContent) break;
    // The statement reads the version anyway; without it (nothing read) one small query does.
    const version = loaded?.contentVersion ?? (await currentContentVersion(db));
    if (version <= content.version) break;
    content = await getContentSet({ version });
  }

  const attributes = mode === 'personalized' ? (loaded?.attributes ?? null) : null;
  const decided = slots.map((slot) => ({
    slot,
    ...chooseSlot(content.blocks[slot] ?? [], slot, mode, content, attributes, now),
  }));
  await loadImageSizes(
    decided.flatMap((d) => d.chosen.flatMap((c) => (c.block.body.image ? [c.block.body.image.id] : []))),
    db,
  );

  const views: Decision['slots'] = {};
  for (const d of decided) views[d.slot] = d.chosen.map((c) => view(c, mode, locale, via));
  return {
    customerId,
    mode,
    contentVersion: content.version,
    locale,
    slots: views,
    ...(args.explain ? { explain: Object.fromEntries(decided.map((d) => [d.slot, d.outcomes])) } : {}),
    etag: decisionETag(mode, content.version, locale, decided, mode === 'personalized' ? loaded : null),
  };
}

/**
 * Strong ETag of what the answer depends on (ADR 035 §5). Generic answers hash only the
 * content, the locale and the revisions chosen: the same for an unknown customer, one without
 * the grant and a withdrawn app, so that the ETag tells them apart no more than the body does.
 */
function decisionETag(
  mode: DecisionMode,
  contentVersion: number,
  locale: string,
  decided: Array<{ slot: Slot; chosen: Chosen[] }>,
  loaded: LoadedAttributes | null,
): string {
  const inputs = {
    personalized: mode === 'personalized',
    contentVersion,
    locale,
    revisions: decided.map((d) => [d.slot, d.chosen.map((c) => c.block.revisionId)]),
    ...(loaded
      ? {
          receipt: loaded.consentReceiptId,
          withdrawnApps: [...loaded.withdrawnApps].sort(),
          preferences: loaded.preferencesVersion,
          signals: loaded.signalsVersion,
        }
      : {}),
  };
  return `"${createHash('sha256').update(JSON.stringify(inputs)).digest('base64url')}"`;
}
