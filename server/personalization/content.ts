import 'server-only';

// CONTRACT STUB (owner: content engineer). docs/decisions/035-personalization.md §4
import type { Slot } from '@/lib/personalization/catalogue';
import type { BlockBody, ContentType, SettingsBody } from '@/lib/validation/content';
import type { AuditActor } from '@/server/platform/audit';

import type { Segments } from './evaluate';

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

export type ContentError =
  | { ok: false; error: 'not-found' | 'stale' | 'key-taken' | 'wrong-slot' | 'same-person' | 'not-pending' }
  | { ok: false; error: 'invalid'; issues: Array<{ path: string; message: string }> };

export async function listContent(type?: ContentType): Promise<ContentObjectSummary[]> {
  throw new Error(`not built yet: listContent(${type})`);
}

export async function getContentObject(id: string): Promise<ContentObjectDetail | null> {
  throw new Error(`not built yet: getContentObject(${id})`);
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
  throw new Error(`not built yet: saveRevision(${actor.type}, ${input.key})`);
}

/** Publishes a revision: applied at once, or pending a second person (CONTENT_APPROVAL). */
export async function requestPublication(
  actor: AuditActor,
  input: { objectId: string; revisionId: string; expectedLiveRevisionId: string | null; note?: string },
): Promise<{ ok: true; publicationId: string; status: 'applied' | 'pending' } | ContentError> {
  throw new Error(`not built yet: requestPublication(${actor.type}, ${input.objectId})`);
}

export async function decidePublication(
  actor: AuditActor,
  input: { publicationId: string; approve: boolean; note?: string },
): Promise<{ ok: true; status: 'applied' | 'rejected' | 'stale' } | ContentError> {
  throw new Error(`not built yet: decidePublication(${actor.type}, ${input.publicationId})`);
}

export async function unpublish(
  actor: AuditActor,
  input: { objectId: string; expectedLiveRevisionId: string },
): Promise<{ ok: true } | ContentError> {
  throw new Error(`not built yet: unpublish(${actor.type}, ${input.objectId})`);
}

/** Back to an earlier revision that was live: applies at once (an approved state). */
export async function revert(
  actor: AuditActor,
  input: { objectId: string; toRevisionId: string; expectedLiveRevisionId: string | null },
): Promise<{ ok: true } | ContentError> {
  throw new Error(`not built yet: revert(${actor.type}, ${input.objectId})`);
}

/** The live content set (per-process cache keyed by content_state.version). */
export async function getContentSet(): Promise<ContentSet> {
  throw new Error('not built yet: getContentSet()');
}
