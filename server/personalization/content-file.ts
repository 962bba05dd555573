import 'server-only';

import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import * as z from 'zod/mini';

import { SLOT_KEYS, type Rule, type Slot } from '@/lib/personalization/catalogue';
import { ContentKeySchema, type BlockBody, type ContentType } from '@/lib/validation/content';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';

import {
  jsonPointer,
  loadRuleReferences,
  requestPublicationInTx,
  saveRevisionInTx,
  SETTINGS_KEY,
  validateContentBody,
  type ContentIssue,
} from './content';
import { prepareImage, storePreparedImage, type PreparedImage } from './images';

// The content file of `npm run content` and the dev seed (docs/decisions/035-personalization.md §4):
// `{"schema": "accord-content", "version": 1, "settings"?, "segments"?: [{key, name, rule}],
// "blocks"?: [{key, slot, …body, image: {file, alt} | null}]}`, images relative to the file.
// Everything is validated before anything is written; then one transaction, through the same
// revision and publication path as the console.

const E = 'console.content.errors.';

const FileSchema = z.object({
  schema: z.literal('accord-content', { error: 'schema must be "accord-content"' }),
  version: z.literal(1, { error: 'version must be 1' }),
  settings: z.optional(z.unknown()),
  segments: z.optional(z.array(z.record(z.string(), z.unknown()), { error: 'segments must be a list of objects' })),
  blocks: z.optional(z.array(z.record(z.string(), z.unknown()), { error: 'blocks must be a list of objects' })),
});

export type ContentFileChange = {
  type: ContentType;
  key: string;
  /** created: a new object; revised: a new revision; unchanged: its latest revision already says this. */
  outcome: 'created' | 'revised' | 'unchanged';
  revision: number;
  publication: 'applied' | 'pending' | null;
};
export type ImportResult = { ok: true; changes: ContentFileChange[] } | { ok: false; issues: ContentIssue[] };

type Planned = {
  type: ContentType;
  key: string;
  slot: Slot | null;
  body: unknown;
  pointer: string;
  image?: PreparedImage;
};

class Abort extends Error {
  constructor(readonly issues: ContentIssue[]) {
    super('content import aborted');
  }
}

/** Key order does not make two bodies different (jsonb keeps its own). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const prefix = (pointer: string, issues: ContentIssue[]) =>
  issues.map((i) => ({ path: `${pointer}${i.path}`, message: i.message }));

async function readImageFile(file: string, baseDir: string, pointer: string) {
  try {
    const bytes = await fs.readFile(path.resolve(baseDir, file));
    // An exported image is one this store wrote: taken as it is, or each round trip would re-encode it.
    const known = await prisma.contentImage.findUnique({
      where: { sha256: createHash('sha256').update(bytes).digest('hex') },
      select: { sha256: true, width: true, height: true, size: true },
    });
    if (known)
      return {
        ok: true as const,
        image: { id: known.sha256, width: known.width, height: known.height, size: known.size, bytes },
      };
    const prepared = await prepareImage(bytes);
    if (prepared.ok) return { ok: true as const, image: prepared.image };
    const key = { 'not-an-image': 'notAnImage', 'too-big': 'tooBig', 'too-many-pixels': 'tooManyPixels' }[
      prepared.error
    ];
    return { ok: false as const, issue: { path: pointer, message: `${E}image.${key}` } };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false as const, issue: { path: pointer, message: `cannot read ${file} (${reason})` } };
  }
}

/** Checks the whole file; returns what to write, or every issue with its JSON pointer. */
async function plan(
  content: unknown,
  baseDir: string,
): Promise<{ ok: true; items: Planned[] } | { ok: false; issues: ContentIssue[] }> {
  const parsed = FileSchema.safeParse(content);
  if (!parsed.success)
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: jsonPointer(i.path), message: i.message })) };
  const file = parsed.data;
  const issues: ContentIssue[] = [];
  const items: Planned[] = [];
  const refs = await loadRuleReferences();
  // The file's segments as the file says them: blocks may use those it creates or changes.
  const segments: Record<string, Rule> = { ...refs.segments };
  for (const s of file.segments ?? [])
    if (typeof s.key === 'string') segments[s.key] = s.rule && typeof s.rule === 'object' ? (s.rule as Rule) : {};
  const allRefs = { ...refs, segments };
  const existing = new Map(
    (await prisma.contentObject.findMany({ select: { type: true, key: true, slot: true } })).map((o) => [
      `${o.type}:${o.key}`,
      o.slot,
    ]),
  );

  const checkKey = (type: ContentType, key: unknown, pointer: string, seen: Set<unknown>) => {
    if (!ContentKeySchema.safeParse(key).success) issues.push({ path: `${pointer}/key`, message: `${E}key` });
    else if (seen.has(key)) issues.push({ path: `${pointer}/key`, message: `the key ${String(key)} appears twice` });
    seen.add(key);
  };

  if (file.settings !== undefined) {
    const valid = validateContentBody('settings', file.settings, allRefs);
    if (valid.ok)
      items.push({ type: 'settings', key: SETTINGS_KEY, slot: null, body: valid.body, pointer: '/settings' });
    else issues.push(...prefix('/settings', valid.issues));
  }

  const seenSegments = new Set<unknown>();
  for (const [i, { key, ...body }] of (file.segments ?? []).entries()) {
    const pointer = `/segments/${i}`;
    checkKey('segment', key, pointer, seenSegments);
    const valid = validateContentBody('segment', body, allRefs);
    if (valid.ok) items.push({ type: 'segment', key: String(key), slot: null, body: valid.body, pointer });
    else issues.push(...prefix(pointer, valid.issues));
  }

  const seenBlocks = new Set<unknown>();
  for (const [i, { key, slot, image, ...rest }] of (file.blocks ?? []).entries()) {
    const pointer = `/blocks/${i}`;
    checkKey('block', key, pointer, seenBlocks);
    if (!SLOT_KEYS.includes(slot as Slot)) issues.push({ path: `${pointer}/slot`, message: `${E}slot` });
    const current = existing.get(`block:${String(key)}`);
    if (current && current !== slot)
      issues.push({
        path: `${pointer}/slot`,
        message: `the block ${String(key)} is in the slot ${current}: a block keeps its slot`,
      });

    let prepared: PreparedImage | undefined;
    let imageBody: unknown = image ?? null;
    if (image !== null && image !== undefined) {
      const { file: imageFile, alt } = image as { file?: unknown; alt?: unknown };
      if (typeof imageFile !== 'string' || imageFile === '') {
        issues.push({ path: `${pointer}/image/file`, message: `${E}image.invalid` });
      } else {
        const read = await readImageFile(imageFile, baseDir, `${pointer}/image/file`);
        if (read.ok) prepared = read.image;
        else issues.push(read.issue);
      }
      // Validated with a stand-in id when the file failed, so its other fields are checked too.
      imageBody = { id: prepared?.id ?? '0'.repeat(64), alt };
    }
    const rule = rest.rule ?? {};
    const body = {
      text: { en: '', fr: '' },
      cta: null,
      startsAt: null,
      endsAt: null,
      priority: 0,
      generic: typeof rule === 'object' && rule !== null && Object.keys(rule).length === 0,
      ...rest,
      rule,
      image: imageBody,
    };
    const valid = validateContentBody('block', body, allRefs);
    if (valid.ok)
      items.push({ type: 'block', key: String(key), slot: slot as Slot, body: valid.body, pointer, image: prepared });
    else issues.push(...prefix(pointer, valid.issues));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, items };
}

async function write(tx: Tx, actor: AuditActor, items: Planned[], draft: boolean): Promise<ContentFileChange[]> {
  const refs = await loadRuleReferences(tx);
  const refsWithFile = {
    ...refs,
    segments: {
      ...refs.segments,
      ...Object.fromEntries(
        items.filter((i) => i.type === 'segment').map((i) => [i.key, (i.body as { rule: Rule }).rule]),
      ),
    },
  };
  const changes: ContentFileChange[] = [];
  for (const item of items) {
    const object = await tx.contentObject.findUnique({
      where: { type_key: { type: item.type, key: item.key } },
      select: {
        id: true,
        liveRevisionId: true,
        liveRevision: { select: { id: true, number: true, body: true } },
        revisions: { select: { id: true, number: true, body: true }, orderBy: { number: 'desc' }, take: 1 },
      },
    });
    const latest = object?.revisions[0] ?? null;
    const same = (revision: { body: unknown } | null | undefined) =>
      !!revision && canonical(revision.body) === canonical(item.body);
    // What is live already says this: a newer draft from the console stays a draft.
    let target = same(object?.liveRevision) ? object!.liveRevision : latest;
    let objectId = object?.id;
    let outcome: ContentFileChange['outcome'] = 'unchanged';
    if (!same(target)) {
      // An unchanged block's image is stored already: the revision that says the same names it.
      if (item.image) await storePreparedImage(tx, actor, item.image);
      const saved = await saveRevisionInTx(
        tx,
        actor,
        {
          objectId: object?.id ?? null,
          type: item.type,
          key: item.key,
          slot: item.slot,
          body: item.body,
          expectedLatestRevisionId: latest?.id ?? null,
        },
        refsWithFile,
      );
      if (!saved.ok)
        throw new Abort(
          saved.error === 'invalid'
            ? prefix(item.pointer, saved.issues)
            : [{ path: item.pointer, message: `changed while importing (${saved.error}): run the import again` }],
        );
      target = { id: saved.revisionId, number: saved.number, body: item.body as never };
      objectId = saved.objectId;
      outcome = object ? 'revised' : 'created';
    }
    let publication: ContentFileChange['publication'] = null;
    const live = object?.liveRevisionId ?? null;
    if (!draft && target && objectId && target.id !== live) {
      const published = await requestPublicationInTx(tx, actor, {
        objectId,
        revisionId: target.id,
        expectedLiveRevisionId: live,
        note: 'npm run content -- import',
      });
      if (!published.ok)
        throw new Abort([
          { path: item.pointer, message: `changed while importing (${published.error}): run the import again` },
        ]);
      publication = published.status;
    }
    changes.push({ type: item.type, key: item.key, outcome, revision: target!.number, publication });
  }
  const count = (f: (c: ContentFileChange) => boolean) => changes.filter(f).length;
  // Importing the same file again changes nothing and leaves no trace (the dev seed runs on every start).
  if (changes.every((c) => c.outcome === 'unchanged' && c.publication === null)) return changes;
  await writeAudit(tx, actor, {
    action: 'content.import',
    details: {
      created: count((c) => c.outcome === 'created'),
      revised: count((c) => c.outcome === 'revised'),
      unchanged: count((c) => c.outcome === 'unchanged'),
      published: count((c) => c.publication === 'applied'),
      pending: count((c) => c.publication === 'pending'),
      draft,
    },
  });
  return changes;
}

class DryRun extends Error {
  constructor(readonly changes: ContentFileChange[]) {
    super('dry run: rolled back');
  }
}

/**
 * Imports a content file: every check first, then one transaction. A changed body becomes a
 * revision, published (or pending a second person) unless `draft`; keys absent from the file are
 * left alone. `dryRun` runs it all and rolls back.
 */
export async function importContentFile(
  actor: AuditActor,
  file: string,
  options: { draft?: boolean; dryRun?: boolean } = {},
): Promise<ImportResult> {
  let content: unknown;
  try {
    content = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `not a readable JSON file: ${(error as Error).message}` }] };
  }
  const planned = await plan(content, path.dirname(path.resolve(file)));
  if (!planned.ok) return planned;
  try {
    const changes = await prisma.$transaction(
      async (tx) => {
        const changes = await write(tx, actor, planned.items, options.draft ?? false);
        if (options.dryRun) throw new DryRun(changes);
        return changes;
      },
      { timeout: 60_000 },
    );
    return { ok: true, changes };
  } catch (error) {
    if (error instanceof DryRun) return { ok: true, changes: error.changes };
    if (error instanceof Abort) return { ok: false, issues: error.issues };
    throw error;
  }
}

/** Writes the live content as a content file (content.json) and its images (images/) into `dir`. */
export async function exportContentFile(
  dir: string,
): Promise<{ file: string; objects: number; images: number; notLive: string[] }> {
  const objects = await prisma.contentObject.findMany({
    orderBy: [{ type: 'asc' }, { slot: 'asc' }, { key: 'asc' }],
    select: { type: true, key: true, slot: true, liveRevision: { select: { body: true } } },
  });
  const file: { schema: string; version: number; settings?: unknown; segments: unknown[]; blocks: unknown[] } = {
    schema: 'accord-content',
    version: 1,
    segments: [],
    blocks: [],
  };
  const imageIds = new Set<string>();
  const notLive: string[] = [];
  for (const o of objects) {
    if (!o.liveRevision) {
      notLive.push(`${o.type} ${o.key}`);
      continue;
    }
    const body = o.liveRevision.body as Record<string, unknown>;
    if (o.type === 'settings') file.settings = body;
    else if (o.type === 'segment') file.segments.push({ key: o.key, ...body });
    else {
      const image = (body as BlockBody).image;
      if (image) imageIds.add(image.id);
      file.blocks.push({
        key: o.key,
        slot: o.slot,
        ...body,
        image: image ? { file: `images/${image.id}.webp`, alt: image.alt } : null,
      });
    }
  }
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  const images = await prisma.contentImage.findMany({
    where: { sha256: { in: [...imageIds] } },
    select: { sha256: true, bytes: true },
  });
  for (const image of images) await fs.writeFile(path.join(dir, 'images', `${image.sha256}.webp`), image.bytes);
  const out = path.join(dir, 'content.json');
  await fs.writeFile(out, `${JSON.stringify(file, null, 2)}\n`);
  return { file: out, objects: objects.length - notLive.length, images: images.length, notLive };
}
