import 'server-only';

import { SLOT_KEYS, SLOTS, type Attributes, type Slot } from '@/lib/personalization/catalogue';
import type { CandidateOutcome, Decision } from '@/lib/personalization/decision';
import { ruleGroups } from '@/lib/personalization/rule-schema';
import { BlockBodySchema } from '@/lib/validation/content';
import type { DataAccessor } from '@/server/consent/access-log';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';

import { resolveSampleToken } from './audience';
import { getContentObject, getContentSet, type ContentSet, type LiveBlock } from './content';
import { decide } from './decide';
import { explain } from './evaluate';

// The marketer's preview (docs/decisions/035-personalization.md §6): the home page as one
// customer sees it is a staff read of their data, so the audit row, the decision and its
// access-log row (written by decide's loader through the same transaction) commit together or
// not at all. A hypothetical customer reads no one: evaluated in memory, nothing logged.

export type PreviewActor = { id: string; displayName: string; audit: AuditActor };

export type PreviewTarget = { email: string } | { sampleToken: string };

/**
 * The live content with one block's latest revision in place of its live one (a draft to try
 * before publishing): null when the object is not a block or its latest body is not valid.
 */
export async function contentWithDraft(objectId: string): Promise<ContentSet | null> {
  const [live, object] = await Promise.all([getContentSet(), getContentObject(objectId)]);
  if (!object || object.type !== 'block' || !object.slot) return null;
  const body = BlockBodySchema.safeParse(object.latest.body);
  if (!body.success) return null;
  const draft: LiveBlock = {
    objectId,
    key: object.key,
    slot: object.slot,
    revisionId: object.latest.id,
    body: body.data,
  };
  const blocks = Object.fromEntries(
    SLOT_KEYS.map((slot) => {
      const others = (live.blocks[slot] ?? []).filter((b) => b.objectId !== objectId);
      const list = slot === draft.slot ? [...others, draft] : others;
      return [slot, list.sort((a, b) => b.body.priority - a.body.priority || a.key.localeCompare(b.key))];
    }),
  ) as ContentSet['blocks'];
  const groups = new Set<string>(live.groups);
  if (!draft.body.generic) for (const g of ruleGroups(draft.body.rule, live.segments)) groups.add(g);
  return {
    ...live,
    blocks,
    groups: (['profile', 'preferences', 'signals'] as const).filter((g) => groups.has(g)),
  };
}

/**
 * Exact address or a sample token (the audience estimate's), never a list: a member learns
 * nothing the console's customer search would not tell them. Found or not, the attempt is
 * audited (without the address: the row outlives an erasure) before the answer is known.
 */
export async function previewAsCustomer(
  actor: PreviewActor,
  input: { target: PreviewTarget; reason: string; locale: 'en' | 'fr'; content?: ContentSet; now?: Date },
): Promise<{ ok: true; decision: Decision } | { ok: false; error: 'not-found' }> {
  const by = 'email' in input.target ? 'email' : 'sample';
  const tokenId = 'sampleToken' in input.target ? resolveSampleToken(input.target.sampleToken) : null;
  return prisma.$transaction(async (tx) => {
    const customer =
      'email' in input.target
        ? await tx.user.findUnique({ where: { email: input.target.email }, select: { id: true } })
        : tokenId
          ? await tx.user.findUnique({ where: { id: tokenId }, select: { id: true } })
          : null;
    await writeAudit(tx, actor.audit, {
      action: 'content.preview',
      objectId: customer?.id ?? null,
      customerId: customer?.id ?? null,
      reason: input.reason,
      details: { by, found: Boolean(customer) },
    });
    if (!customer) return { ok: false, error: 'not-found' } as const;
    const accessor: DataAccessor = { type: 'staff', id: actor.id, name: actor.displayName };
    const decision = await decide({
      customerId: customer.id,
      locale: input.locale,
      now: input.now,
      explain: true,
      // The fields a decision reads are decide's own declaration; the reader only names who looks.
      via: {
        kind: 'preview',
        reader: { accessor, appId: null, fieldPurposes: {}, reason: input.reason },
        tx,
        content: input.content,
      },
    });
    return { ok: true, decision } as const;
  });
}

export type HypotheticalCandidate = CandidateOutcome & { title: string };

function inSchedule(block: LiveBlock, now: Date): boolean {
  const { startsAt, endsAt } = block.body;
  return (!startsAt || Date.parse(startsAt) <= now.getTime()) && (!endsAt || Date.parse(endsAt) > now.getTime());
}

/**
 * What a customer with these attributes would see, slot by slot, with each live block's outcome:
 * the decision's rule for a personalized customer (non-generic matches by priority then key up to
 * the slot's size, then generic ones), evaluated by the same evaluator. No customer is read.
 */
export async function previewHypothetical(
  attributes: Attributes,
  options: { locale: 'en' | 'fr'; content?: ContentSet; now?: Date },
): Promise<Record<Slot, HypotheticalCandidate[]>> {
  const content = options.content ?? (await getContentSet());
  const now = options.now ?? new Date();
  const result = {} as Record<Slot, HypotheticalCandidate[]>;
  for (const slot of SLOT_KEYS) {
    const blocks = [...(content.blocks[slot] ?? [])].sort(
      (a, b) => b.body.priority - a.body.priority || a.key.localeCompare(b.key),
    );
    const outcomes = blocks.map((block) => {
      const base = {
        objectId: block.objectId,
        key: block.key,
        revisionId: block.revisionId,
        priority: block.body.priority,
        generic: block.body.generic,
        title: block.body.title[options.locale],
        failed: [] as CandidateOutcome['failed'],
      };
      if (!inSchedule(block, now)) return { ...base, outcome: 'outside-schedule' as const, eligible: false };
      if (block.body.generic) return { ...base, outcome: 'shown' as const, eligible: true };
      const verdict = explain(block.body.rule, attributes, content.segments);
      return verdict.matched
        ? { ...base, outcome: 'shown' as const, eligible: true }
        : { ...base, outcome: 'rule-failed' as const, failed: verdict.failed, eligible: false };
    });
    // Non-generic matches first, then generic ones, within the slot's size.
    const eligible = [
      ...outcomes.filter((o) => o.eligible && !o.generic),
      ...outcomes.filter((o) => o.eligible && o.generic),
    ];
    const shown = new Set(eligible.slice(0, SLOTS[slot].size).map((o) => o.objectId));
    result[slot] = outcomes.map(({ eligible: isEligible, ...o }) =>
      isEligible && !shown.has(o.objectId) ? { ...o, outcome: 'lower-priority' as const } : o,
    );
  }
  return result;
}
