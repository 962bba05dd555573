import 'server-only';

import { SLOT_KEYS, type Rule, type Slot } from '@/lib/personalization/catalogue';
import { ruleGroups, validateRuleReferences } from '@/lib/personalization/rule-schema';
import { isUuid } from '@/lib/uuid';
import {
  BlockBodySchema,
  ContentKeySchema,
  SegmentBodySchema,
  SettingsBodySchema,
  type BlockBody,
  type ContentType,
  type SettingsBody,
} from '@/lib/validation/content';
import { Prisma } from '@/server/generated/prisma/client';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';

import type { Segments } from './evaluate';

// Blocks, segments and the settings: bodies in append-only revisions, made live by
// publications, one content version for the decision's cache.
// docs/decisions/035-personalization.md §4

export type RevisionRow = {
  id: string;
  number: number;
  body: unknown;
  authorLabel: string;
  createdAt: Date;
};
export type PublicationRow = {
  id: string;
  action: 'publish' | 'unpublish' | 'revert';
  status: 'pending' | 'applied' | 'rejected' | 'stale';
  fromRevisionId: string | null;
  toRevisionId: string | null;
  requestedByLabel: string;
  requestedByStaffId: string | null;
  decidedByLabel: string | null;
  requestedAt: Date;
  decidedAt: Date | null;
  note: string | null;
};
export type ContentObjectSummary = {
  id: string;
  type: ContentType;
  key: string;
  slot: Slot | null;
  live: RevisionRow | null;
  latest: RevisionRow;
  pending: PublicationRow | null;
};
export type ContentObjectDetail = ContentObjectSummary & {
  revisions: RevisionRow[];
  publications: PublicationRow[];
};

/** A live block as the decision uses it. */
export type LiveBlock = { objectId: string; key: string; slot: Slot; revisionId: string; body: BlockBody };
/** What the decision needs, loaded in one query and cached per process by content_state.version. */
export type ContentSet = {
  version: number;
  blocks: Record<Slot, LiveBlock[]>;
  segments: Segments;
  settings: SettingsBody;
  /** The attribute groups the live rules use: the decision reads only these. */
  groups: Array<'profile' | 'preferences' | 'signals'>;
};

export type ContentIssue = { path: string; message: string };
export type ContentError =
  | { ok: false; error: 'not-found' | 'stale' | 'key-taken' | 'wrong-slot' | 'same-person' | 'not-pending' }
  | { ok: false; error: 'invalid'; issues: ContentIssue[] };

/** The settings object's one key. */
export const SETTINGS_KEY = 'settings';
export const DEFAULT_SETTINGS: SettingsBody = { holdoutPercent: 0 };

const E = 'console.content.errors.';

// ─── Reading ────────────────────────────────────────────────────────────────

const revisionSelect = { id: true, number: true, body: true, authorLabel: true, createdAt: true } as const;
const publicationSelect = {
  id: true,
  action: true,
  status: true,
  fromRevisionId: true,
  toRevisionId: true,
  requestedByLabel: true,
  requestedByStaffId: true,
  decidedByLabel: true,
  requestedAt: true,
  decidedAt: true,
  note: true,
} as const;

type PublicationRecord = Omit<PublicationRow, 'id' | 'action' | 'status'> & {
  id: bigint;
  action: string;
  status: string;
};

function toPublication(row: PublicationRecord): PublicationRow {
  return {
    ...row,
    id: row.id.toString(),
    action: row.action as PublicationRow['action'],
    status: row.status as PublicationRow['status'],
  };
}

export async function listContent(type?: ContentType): Promise<ContentObjectSummary[]> {
  const objects = await prisma.contentObject.findMany({
    where: type ? { type } : {},
    orderBy: [{ type: 'asc' }, { slot: 'asc' }, { key: 'asc' }],
    select: {
      id: true,
      type: true,
      key: true,
      slot: true,
      liveRevision: { select: revisionSelect },
      revisions: { select: revisionSelect, orderBy: { number: 'desc' }, take: 1 },
      publications: {
        where: { status: 'pending' },
        select: publicationSelect,
        orderBy: { requestedAt: 'desc' },
        take: 1,
      },
    },
  });
  return objects.flatMap((o) =>
    // An object is created with its first revision, in one transaction.
    o.revisions[0]
      ? [
          {
            id: o.id,
            type: o.type as ContentType,
            key: o.key,
            slot: o.slot as Slot | null,
            live: o.liveRevision,
            latest: o.revisions[0],
            pending: o.publications[0] ? toPublication(o.publications[0]) : null,
          },
        ]
      : [],
  );
}

export async function getContentObject(id: string): Promise<ContentObjectDetail | null> {
  if (!isUuid(id)) return null;
  const o = await prisma.contentObject.findUnique({
    where: { id },
    select: {
      id: true,
      type: true,
      key: true,
      slot: true,
      liveRevision: { select: revisionSelect },
      revisions: { select: revisionSelect, orderBy: { number: 'desc' } },
      publications: { select: publicationSelect, orderBy: { id: 'desc' } },
    },
  });
  if (!o?.revisions[0]) return null;
  const publications = o.publications.map(toPublication);
  return {
    id: o.id,
    type: o.type as ContentType,
    key: o.key,
    slot: o.slot as Slot | null,
    live: o.liveRevision,
    latest: o.revisions[0],
    pending: publications.find((p) => p.status === 'pending') ?? null,
    revisions: o.revisions,
    publications,
  };
}

// ─── Validation ─────────────────────────────────────────────────────────────

/** A JSON pointer (RFC 6901) from a path of keys. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** What rules may name: reference data and saved segments (by key, their rules for the condition count). */
export type RuleReferences = {
  categories: ReadonlySet<string>;
  stores: ReadonlySet<string>;
  segments: Readonly<Record<string, Rule>>;
  retentionDays: number;
};

export async function loadRuleReferences(tx: Tx | typeof prisma = prisma): Promise<RuleReferences> {
  const [categories, stores, segments] = await Promise.all([
    tx.category.findMany({ where: { retiredAt: null }, select: { key: true } }),
    tx.store.findMany({ where: { retiredAt: null }, select: { key: true } }),
    // Each segment as its latest revision says: what a block using it will meet once published.
    tx.$queryRaw<Array<{ key: string; body: { rule?: Rule } }>>`
      SELECT DISTINCT ON (o.id) o.key, r.body
      FROM content_objects o JOIN content_revisions r ON r.object_id = o.id
      WHERE o.type = 'segment'
      ORDER BY o.id, r.number DESC`,
  ]);
  return {
    categories: new Set(categories.map((c) => c.key)),
    stores: new Set(stores.map((s) => s.key)),
    segments: Object.fromEntries(segments.map((s) => [s.key, s.body.rule ?? {}])),
    retentionDays: getEnv().SIGNAL_RETENTION_DAYS,
  };
}

/** Validates a body of its type (schema, then the rule's references). */
export function validateContentBody(
  type: ContentType,
  body: unknown,
  refs: RuleReferences,
): { ok: true; body: BlockBody | { name: string; rule: Rule } | SettingsBody } | { ok: false; issues: ContentIssue[] } {
  const schema = type === 'block' ? BlockBodySchema : type === 'segment' ? SegmentBodySchema : SettingsBodySchema;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.flatMap((issue) =>
        // An unknown field: pointed at, so that the one line says which.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: jsonPointer([...issue.path, key]), message: `${E}invalid` }))
          : [
              {
                path: jsonPointer(issue.path),
                // zod's own messages (a missing field, a wrong type) are not message keys.
                message: issue.message.startsWith('console.') ? issue.message : `${E}invalid`,
              },
            ],
      ),
    };
  }
  if (type === 'settings') return { ok: true, body: parsed.data as SettingsBody };
  const rule = (parsed.data as { rule: Rule }).rule;
  const issues = validateRuleReferences(rule, {
    categories: refs.categories,
    stores: refs.stores,
    segments: refs.segments as Record<string, Rule>,
    retentionDays: refs.retentionDays,
    inSegment: type === 'segment',
  });
  return issues.length > 0
    ? { ok: false, issues: issues.map((i) => ({ path: `/rule${i.pointer}`, message: i.message })) }
    : { ok: true, body: parsed.data as BlockBody };
}

function checkIdentity(type: ContentType, key: string, slot: Slot | null): ContentIssue[] {
  const issues: ContentIssue[] = [];
  if (!ContentKeySchema.safeParse(key).success) issues.push({ path: '/key', message: `${E}key` });
  if (type === 'settings' && key !== SETTINGS_KEY) issues.push({ path: '/key', message: `${E}key` });
  if (type === 'block' ? !SLOT_KEYS.includes(slot as Slot) : slot !== null)
    issues.push({ path: '/slot', message: `${E}slot` });
  return issues;
}

// ─── Writing ────────────────────────────────────────────────────────────────

const staffId = (actor: AuditActor) => (actor.type === 'staff' ? actor.staffId : null);

type SaveInput = {
  objectId: string | null;
  type: ContentType;
  key: string;
  slot: Slot | null;
  body: unknown;
  expectedLatestRevisionId: string | null;
};
type SaveResult = { ok: true; objectId: string; revisionId: string; number: number } | ContentError;

/** saveRevision inside the caller's transaction (the content file's import runs many in one). */
export async function saveRevisionInTx(
  tx: Tx,
  actor: AuditActor,
  input: SaveInput,
  refs?: RuleReferences,
): Promise<SaveResult> {
  const identity = checkIdentity(input.type, input.key, input.slot);
  if (identity.length > 0) return { ok: false, error: 'invalid', issues: identity };
  const valid = validateContentBody(input.type, input.body, refs ?? (await loadRuleReferences(tx)));
  if (!valid.ok) return { ok: false, error: 'invalid', issues: valid.issues };
  const image = input.type === 'block' ? (valid.body as BlockBody).image : null;
  // An id from a form is only a claim: the image must be one this store holds.
  if (image && !(await tx.contentImage.findUnique({ where: { sha256: image.id }, select: { id: true } })))
    return { ok: false, error: 'invalid', issues: [{ path: '/image/id', message: `${E}image.invalid` }] };

  let objectId: string;
  let number: number;
  if (input.objectId === null) {
    if (input.expectedLatestRevisionId !== null) return { ok: false, error: 'stale' };
    const taken = await tx.contentObject.findUnique({ where: { type_key: { type: input.type, key: input.key } } });
    if (taken) return { ok: false, error: 'key-taken' };
    const object = await tx.contentObject.create({
      data: { type: input.type, key: input.key, slot: input.slot },
      select: { id: true },
    });
    objectId = object.id;
    number = 1;
  } else {
    if (!isUuid(input.objectId)) return { ok: false, error: 'not-found' };
    // Serializes saves of one object: the latest-revision check below holds until commit.
    const [object] = await tx.$queryRaw<Array<{ type: string; slot: string | null }>>`
      SELECT type, slot FROM content_objects WHERE id = ${input.objectId}::uuid FOR UPDATE`;
    if (!object || object.type !== input.type) return { ok: false, error: 'not-found' };
    // A form of another slot posting this block's id: refused, not moved.
    if (object.slot !== input.slot) return { ok: false, error: 'wrong-slot' };
    const latest = await tx.contentRevision.findFirst({
      where: { objectId: input.objectId },
      orderBy: { number: 'desc' },
      select: { id: true, number: true },
    });
    if ((latest?.id ?? null) !== input.expectedLatestRevisionId) return { ok: false, error: 'stale' };
    objectId = input.objectId;
    number = (latest?.number ?? 0) + 1;
  }
  const revision = await tx.contentRevision.create({
    data: {
      objectId,
      number,
      body: valid.body as Prisma.InputJsonValue,
      authorStaffId: staffId(actor),
      authorLabel: actor.label.slice(0, 200),
    },
    select: { id: true },
  });
  await writeAudit(tx, actor, {
    action: 'content.revision.create',
    objectId,
    details: { type: input.type, key: input.key, slot: input.slot, revision: number },
  });
  return { ok: true, objectId, revisionId: revision.id, number };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Saves a new revision (a draft): of a new object (objectId null) or of an existing one, only if
 * its latest revision is still `expectedLatestRevisionId` (else stale). Audited content.revision.create.
 */
export async function saveRevision(
  actor: AuditActor,
  input: {
    objectId: string | null;
    type: ContentType;
    key: string;
    slot: Slot | null;
    body: unknown;
    expectedLatestRevisionId: string | null;
  },
): Promise<{ ok: true; objectId: string; revisionId: string; number: number } | ContentError> {
  try {
    return await prisma.$transaction((tx) => saveRevisionInTx(tx, actor, input));
  } catch (error) {
    // Two first saves of one key, or of one object, at the same time: the second lost.
    if (isUniqueViolation(error)) return { ok: false, error: input.objectId === null ? 'key-taken' : 'stale' };
    throw error;
  }
}

/** The one place a live revision moves: every path holds this lock, so `from` checks are exact. */
async function lockContentState(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT version FROM content_state WHERE id = 1 FOR UPDATE`;
}

async function liveRevisionOf(tx: Tx, objectId: string): Promise<string | null | undefined> {
  const object = await tx.contentObject.findUnique({ where: { id: objectId }, select: { liveRevisionId: true } });
  return object ? object.liveRevisionId : undefined;
}

/** Moves the live revision and bumps the content version; the caller holds lockContentState. */
async function moveLive(tx: Tx, objectId: string, to: string | null): Promise<void> {
  await tx.contentObject.update({ where: { id: objectId }, data: { liveRevisionId: to } });
  await tx.contentState.update({ where: { id: 1 }, data: { version: { increment: 1 }, updatedAt: new Date() } });
}

async function wasApplied(tx: Tx, revisionId: string): Promise<boolean> {
  const found = await tx.contentPublication.findFirst({
    where: { toRevisionId: revisionId, status: 'applied' },
    select: { id: true },
  });
  return found !== null;
}

type PublishInput = { objectId: string; revisionId: string; expectedLiveRevisionId: string | null; note?: string };
type PublishResult = { ok: true; publicationId: string; status: 'applied' | 'pending' } | ContentError;

const note = (value: string | undefined) => value?.trim().slice(0, 500) || null;

export async function requestPublicationInTx(tx: Tx, actor: AuditActor, input: PublishInput): Promise<PublishResult> {
  if (!isUuid(input.objectId) || !isUuid(input.revisionId)) return { ok: false, error: 'not-found' };
  if (input.expectedLiveRevisionId !== null && !isUuid(input.expectedLiveRevisionId))
    return { ok: false, error: 'stale' };
  const revision = await tx.contentRevision.findFirst({
    where: { id: input.revisionId, objectId: input.objectId },
    select: { number: true, object: { select: { key: true, type: true } } },
  });
  if (!revision) return { ok: false, error: 'not-found' };
  // A revision once approved returns to an approved state: it needs no second person (ADR 035 §4).
  const needsApproval = getEnv().CONTENT_APPROVAL === 'second-person' && !(await wasApplied(tx, input.revisionId));
  if (!needsApproval) await lockContentState(tx);
  const live = await liveRevisionOf(tx, input.objectId);
  if (live !== input.expectedLiveRevisionId || live === input.revisionId) return { ok: false, error: 'stale' };
  const details = { key: revision.object.key, type: revision.object.type, revision: revision.number };

  if (needsApproval) {
    // One request at a time per object: the newer one replaces the older.
    await tx.contentPublication.updateMany({
      where: { objectId: input.objectId, status: 'pending' },
      data: { status: 'stale', decidedAt: new Date() },
    });
    const publication = await tx.contentPublication.create({
      data: {
        objectId: input.objectId,
        fromRevisionId: live,
        toRevisionId: input.revisionId,
        action: 'publish',
        status: 'pending',
        requestedByStaffId: staffId(actor),
        requestedByLabel: actor.label.slice(0, 200),
        note: note(input.note),
      },
      select: { id: true },
    });
    await writeAudit(tx, actor, {
      action: 'content.publish.request',
      objectId: input.objectId,
      details: { ...details, publication: publication.id.toString() },
    });
    return { ok: true, publicationId: publication.id.toString(), status: 'pending' };
  }

  await moveLive(tx, input.objectId, input.revisionId);
  const publication = await tx.contentPublication.create({
    data: {
      objectId: input.objectId,
      fromRevisionId: live,
      toRevisionId: input.revisionId,
      action: 'publish',
      status: 'applied',
      requestedByStaffId: staffId(actor),
      requestedByLabel: actor.label.slice(0, 200),
      // Applied without a second person: no decider (the table's second-person CHECK).
      decidedAt: new Date(),
      note: note(input.note),
    },
    select: { id: true },
  });
  await writeAudit(tx, actor, {
    action: 'content.publish',
    objectId: input.objectId,
    details: { ...details, publication: publication.id.toString() },
  });
  return { ok: true, publicationId: publication.id.toString(), status: 'applied' };
}

/** Publishes a revision: applied at once, or pending a second person (CONTENT_APPROVAL). */
export async function requestPublication(
  actor: AuditActor,
  input: { objectId: string; revisionId: string; expectedLiveRevisionId: string | null; note?: string },
): Promise<{ ok: true; publicationId: string; status: 'applied' | 'pending' } | ContentError> {
  const result = await prisma.$transaction((tx) => requestPublicationInTx(tx, actor, input));
  if (result.ok && result.status === 'applied') forgetContentSet();
  return result;
}

function isSamePerson(actor: AuditActor, requested: { requestedByStaffId: string | null; requestedByLabel: string }) {
  return actor.type === 'staff'
    ? actor.staffId === requested.requestedByStaffId
    : requested.requestedByStaffId === null && actor.label === requested.requestedByLabel;
}

export async function decidePublication(
  actor: AuditActor,
  input: { publicationId: string; approve: boolean; note?: string },
): Promise<{ ok: true; status: 'applied' | 'rejected' | 'stale' } | ContentError> {
  if (!/^[1-9]\d{0,17}$/.test(input.publicationId)) return { ok: false, error: 'not-found' };
  const id = BigInt(input.publicationId);
  const result = await prisma.$transaction(
    async (tx): Promise<{ ok: true; status: 'applied' | 'rejected' | 'stale' } | ContentError> => {
      if (input.approve) await lockContentState(tx);
      const [locked] = await tx.$queryRaw<Array<{ id: bigint }>>`
      SELECT id FROM content_publications WHERE id = ${id} FOR UPDATE`;
      if (!locked) return { ok: false, error: 'not-found' };
      const publication = await tx.contentPublication.findUniqueOrThrow({
        where: { id },
        select: { ...publicationSelect, objectId: true, object: { select: { key: true, type: true } } },
      });
      if (publication.status !== 'pending') return { ok: false, error: 'not-pending' };
      if (isSamePerson(actor, publication)) return { ok: false, error: 'same-person' };
      const decided = {
        decidedByStaffId: staffId(actor),
        decidedByLabel: actor.label.slice(0, 200),
        decidedAt: new Date(),
        note: note(input.note) ?? publication.note,
      };
      const details = { key: publication.object.key, type: publication.object.type, publication: input.publicationId };
      if (!input.approve) {
        await tx.contentPublication.update({ where: { id }, data: { status: 'rejected', ...decided } });
        await writeAudit(tx, actor, { action: 'content.publish.reject', objectId: publication.objectId, details });
        return { ok: true, status: 'rejected' };
      }
      const live = await liveRevisionOf(tx, publication.objectId);
      if (live !== publication.fromRevisionId) {
        // The block changed since the request: the approver reviewed something no longer true.
        await tx.contentPublication.update({ where: { id }, data: { status: 'stale', ...decided } });
        return { ok: true, status: 'stale' };
      }
      await moveLive(tx, publication.objectId, publication.toRevisionId);
      await tx.contentPublication.update({ where: { id }, data: { status: 'applied', ...decided } });
      await writeAudit(tx, actor, { action: 'content.publish.approve', objectId: publication.objectId, details });
      return { ok: true, status: 'applied' };
    },
  );
  if (result.ok && result.status === 'applied') forgetContentSet();
  return result;
}

/** Unpublish and revert: they return to an approved state, so they apply at once (ADR 035 §4). */
async function applyAtOnce(
  actor: AuditActor,
  input: { objectId: string; to: string | null; expectedLiveRevisionId: string | null },
  action: 'unpublish' | 'revert',
): Promise<{ ok: true } | ContentError> {
  if (!isUuid(input.objectId) || (input.to !== null && !isUuid(input.to))) return { ok: false, error: 'not-found' };
  const result = await prisma.$transaction(async (tx): Promise<{ ok: true } | ContentError> => {
    const object = await tx.contentObject.findUnique({
      where: { id: input.objectId },
      select: { key: true, type: true },
    });
    if (!object) return { ok: false, error: 'not-found' };
    let number: number | null = null;
    if (input.to !== null) {
      const target = await tx.contentRevision.findFirst({
        where: { id: input.to, objectId: input.objectId },
        select: { number: true },
      });
      if (!target) return { ok: false, error: 'not-found' };
      if (!(await wasApplied(tx, input.to)))
        return { ok: false, error: 'invalid', issues: [{ path: '/toRevisionId', message: `${E}revert.neverLive` }] };
      number = target.number;
    }
    await lockContentState(tx);
    const live = await liveRevisionOf(tx, input.objectId);
    if (live !== input.expectedLiveRevisionId || live === input.to) return { ok: false, error: 'stale' };
    await moveLive(tx, input.objectId, input.to);
    const publication = await tx.contentPublication.create({
      data: {
        objectId: input.objectId,
        fromRevisionId: live,
        toRevisionId: input.to,
        action,
        status: 'applied',
        requestedByStaffId: staffId(actor),
        requestedByLabel: actor.label.slice(0, 200),
        decidedByStaffId: staffId(actor),
        decidedByLabel: actor.label.slice(0, 200),
        decidedAt: new Date(),
      },
      select: { id: true },
    });
    await writeAudit(tx, actor, {
      action: action === 'unpublish' ? 'content.unpublish' : 'content.revert',
      objectId: input.objectId,
      details: { key: object.key, type: object.type, revision: number, publication: publication.id.toString() },
    });
    return { ok: true };
  });
  if (result.ok) forgetContentSet();
  return result;
}

export async function unpublish(
  actor: AuditActor,
  input: { objectId: string; expectedLiveRevisionId: string },
): Promise<{ ok: true } | ContentError> {
  return applyAtOnce(
    actor,
    { objectId: input.objectId, to: null, expectedLiveRevisionId: input.expectedLiveRevisionId },
    'unpublish',
  );
}

/** Back to an earlier revision that was live: applies at once (an approved state). */
export async function revert(
  actor: AuditActor,
  input: { objectId: string; toRevisionId: string; expectedLiveRevisionId: string | null },
): Promise<{ ok: true } | ContentError> {
  return applyAtOnce(
    actor,
    { objectId: input.objectId, to: input.toRevisionId, expectedLiveRevisionId: input.expectedLiveRevisionId },
    'revert',
  );
}

// ─── The live content set ───────────────────────────────────────────────────

type LiveRow = {
  version: number;
  object_id: string | null;
  type: string | null;
  key: string | null;
  slot: string | null;
  revision_id: string | null;
  body: unknown;
};

async function loadContentSet(): Promise<ContentSet> {
  const rows = await prisma.$queryRaw<LiveRow[]>`
    SELECT s.version, o.id::text AS object_id, o.type, o.key, o.slot, r.id::text AS revision_id, r.body
    FROM content_state s
    LEFT JOIN content_objects o ON o.live_revision_id IS NOT NULL
    LEFT JOIN content_revisions r ON r.id = o.live_revision_id
    WHERE s.id = 1`;
  const version = Number(rows[0]?.version ?? 0);
  const blocks = Object.fromEntries(SLOT_KEYS.map((slot) => [slot, [] as LiveBlock[]])) as Record<Slot, LiveBlock[]>;
  const segments: Segments = {};
  let settings = DEFAULT_SETTINGS;
  // Rules are validated again at load: a body the schema no longer accepts is left out, not evaluated.
  const refused = (row: LiveRow) =>
    getLogger().warn(
      { component: 'content', objectId: row.object_id, revisionId: row.revision_id },
      'a live revision no longer passes validation: left out of the content set',
    );
  for (const row of rows) {
    if (!row.object_id || !row.revision_id || !row.key) continue;
    if (row.type === 'block') {
      const parsed = BlockBodySchema.safeParse(row.body);
      if (!parsed.success || !SLOT_KEYS.includes(row.slot as Slot)) {
        refused(row);
        continue;
      }
      const slot = row.slot as Slot;
      blocks[slot].push({
        objectId: row.object_id,
        key: row.key,
        slot,
        revisionId: row.revision_id,
        body: parsed.data,
      });
    } else if (row.type === 'segment') {
      const parsed = SegmentBodySchema.safeParse(row.body);
      if (parsed.success) segments[row.key] = parsed.data.rule;
      else refused(row);
    } else if (row.type === 'settings' && row.key === SETTINGS_KEY) {
      const parsed = SettingsBodySchema.safeParse(row.body);
      if (parsed.success) settings = parsed.data;
      else refused(row);
    }
  }
  const groups = new Set<ContentSet['groups'][number]>();
  for (const list of Object.values(blocks)) {
    list.sort((a, b) => b.body.priority - a.body.priority || a.key.localeCompare(b.key));
    for (const block of list)
      if (!block.body.generic) for (const group of ruleGroups(block.body.rule, segments)) groups.add(group);
  }
  return {
    version,
    blocks,
    segments,
    settings,
    groups: (['profile', 'preferences', 'signals'] as const).filter((g) => groups.has(g)),
  };
}

let cachedSet: ContentSet | null = null;
let loading: Promise<ContentSet> | null = null;

function loadOnce(): Promise<ContentSet> {
  loading ??= loadContentSet()
    .then((set) => {
      if (!cachedSet || set.version >= cachedSet.version) cachedSet = set;
      return set;
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

/** After a publication applied in this process: the next read loads again. */
function forgetContentSet(): void {
  cachedSet = null;
}

/**
 * The live content set, from a per-process cache keyed by content_state.version, loaded by one
 * request at a time. Without `version` the cached set is returned as it is (no query): the
 * decision's statement reads the current version and passes it back here when it differs,
 * which reloads (another instance published).
 */
export async function getContentSet(options: { version?: number } = {}): Promise<ContentSet> {
  const fresh = (set: ContentSet | null): set is ContentSet =>
    set !== null && (options.version === undefined || set.version >= options.version);
  if (fresh(cachedSet)) return cachedSet;
  const set = await loadOnce();
  if (fresh(set)) return set;
  // The load in flight began before that version was published.
  return loadOnce();
}
