import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';

import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  decidePublication,
  getContentObject,
  getContentSet,
  listContent,
  requestPublication,
  revert,
  saveRevision,
  unpublish,
} from '@/server/personalization/content';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import type { AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { createContentBlock, createStaffMember } from '@/tests/factories';

import { adminQuery } from './helpers';

async function marketer(): Promise<AuditActor & { type: 'staff' }> {
  const staff = await createStaffMember({ roles: ['marketer'] });
  return { type: 'staff', staffId: staff.id, label: staff.email, requestId: `req-${randomUUID()}` };
}

const block = (over: Record<string, unknown> = {}) => ({
  title: { en: 'Spring is here', fr: 'Le printemps est là' },
  text: { en: 'New arrivals.', fr: 'Nouveautés.' },
  image: null,
  cta: { label: { en: 'See', fr: 'Voir' }, url: '/shop' },
  startsAt: null,
  endsAt: null,
  priority: 10,
  generic: true,
  rule: {},
  ...over,
});
const running = { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] };

const key = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

async function newBlock(actor: AuditActor, over: Record<string, unknown> = {}, slot: 'hero' | 'notice' = 'hero') {
  const saved = await saveRevision(actor, {
    objectId: null,
    type: 'block',
    key: key('block'),
    slot,
    body: block(over),
    expectedLatestRevisionId: null,
  });
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return saved;
}

async function audits(objectId: string) {
  const rows = await prisma.auditLog.findMany({
    where: { objectId },
    orderBy: { id: 'asc' },
    select: { action: true },
  });
  return rows.map((r) => r.action);
}

const contentVersion = async () => (await prisma.contentState.findUniqueOrThrow({ where: { id: 1 } })).version;

beforeAll(async () => {
  await applyPersonalizationReferenceData();
});

afterEach(() => {
  getEnv().CONTENT_APPROVAL = 'none';
});

describe('content revisions', () => {
  it('saves drafts only on top of the revision the form loaded, audited; the first save of a key creates the object', async () => {
    const actor = await marketer();
    const first = await newBlock(actor);
    expect(first.number).toBe(1);
    const second = await saveRevision(actor, {
      objectId: first.objectId,
      type: 'block',
      key: 'ignored',
      slot: 'hero',
      body: block({ priority: 20 }),
      expectedLatestRevisionId: first.revisionId,
    });
    expect(second).toMatchObject({ ok: true, number: 2 });
    // A second tab still holding revision 1: refused, nothing written.
    const late = await saveRevision(actor, {
      objectId: first.objectId,
      type: 'block',
      key: 'ignored',
      slot: 'hero',
      body: block({ priority: 30 }),
      expectedLatestRevisionId: first.revisionId,
    });
    expect(late).toEqual({ ok: false, error: 'stale' });
    const detail = await getContentObject(first.objectId);
    expect(detail?.revisions.map((r) => r.number)).toEqual([2, 1]);
    expect(detail?.revisions[0]?.authorLabel).toBe(actor.label);
    expect(detail?.live).toBeNull();
    expect(await audits(first.objectId)).toEqual(['content.revision.create', 'content.revision.create']);

    const object = await prisma.contentObject.findUniqueOrThrow({ where: { id: first.objectId } });
    const taken = await saveRevision(actor, {
      objectId: null,
      type: 'block',
      key: object.key,
      slot: 'hero',
      body: block(),
      expectedLatestRevisionId: null,
    });
    expect(taken).toEqual({ ok: false, error: 'key-taken' });
  });

  it('refuses bad bodies and unknown references with JSON pointers and message keys, writing nothing', async () => {
    const actor = await marketer();
    const before = await prisma.contentRevision.count();
    const bad = await saveRevision(actor, {
      objectId: null,
      type: 'block',
      key: key('bad'),
      slot: 'hero',
      body: block({
        title: { en: 'x'.repeat(121), fr: '' },
        extra: 1,
        generic: false,
        rule: { interests: { $in: ['curling'] } },
      }),
      expectedLatestRevisionId: null,
    });
    expect(bad.ok).toBe(false);
    const issues = !bad.ok && bad.error === 'invalid' ? bad.issues : [];
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '/title/en', message: 'console.content.errors.title.tooLong' },
        { path: '/title/fr', message: 'console.content.errors.title.required' },
        { path: '/extra', message: 'console.content.errors.invalid' },
      ]),
    );
    const unknownCategory = await saveRevision(actor, {
      objectId: null,
      type: 'block',
      key: key('bad'),
      slot: 'hero',
      body: block({ generic: false, rule: { $or: [{ interests: { $in: ['running', 'curling'] } }] } }),
      expectedLatestRevisionId: null,
    });
    expect(unknownCategory).toEqual({
      ok: false,
      error: 'invalid',
      issues: [{ path: '/rule/$or/0/interests/$in', message: 'console.content.rule.unknownCategory' }],
    });
    const badSlot = await saveRevision(actor, {
      objectId: null,
      type: 'block',
      key: 'Not A Key',
      slot: 'footer' as 'hero',
      body: block(),
      expectedLatestRevisionId: null,
    });
    expect(badSlot).toMatchObject({ ok: false, error: 'invalid', issues: [{ path: '/key' }, { path: '/slot' }] });
    const unknownImage = await saveRevision(actor, {
      objectId: null,
      type: 'block',
      key: key('bad'),
      slot: 'hero',
      body: block({ image: { id: 'a'.repeat(64), alt: { en: 'A shoe', fr: 'Une chaussure' } } }),
      expectedLatestRevisionId: null,
    });
    expect(unknownImage).toEqual({
      ok: false,
      error: 'invalid',
      issues: [{ path: '/image/id', message: 'console.content.errors.image.invalid' }],
    });
    expect(await prisma.contentRevision.count()).toBe(before);
  });

  it('refuses a block id posted with another slot or type (a forged form): nothing written', async () => {
    const actor = await marketer();
    const hero = await newBlock(actor);
    const asNotice = await saveRevision(actor, {
      objectId: hero.objectId,
      type: 'block',
      key: 'x',
      slot: 'notice',
      body: block(),
      expectedLatestRevisionId: hero.revisionId,
    });
    expect(asNotice).toEqual({ ok: false, error: 'wrong-slot' });
    const asSegment = await saveRevision(actor, {
      objectId: hero.objectId,
      type: 'segment',
      key: 'x',
      slot: null,
      body: { name: 'Runners', rule: running },
      expectedLatestRevisionId: hero.revisionId,
    });
    expect(asSegment).toEqual({ ok: false, error: 'not-found' });
    expect(await saveRevision(actor, { ...asSegmentInput(), objectId: 'not-a-uuid' })).toEqual({
      ok: false,
      error: 'not-found',
    });
    expect((await getContentObject(hero.objectId))?.revisions).toHaveLength(1);
    expect(
      await requestPublication(actor, {
        objectId: hero.objectId,
        revisionId: randomUUID(),
        expectedLiveRevisionId: null,
      }),
    ).toEqual({
      ok: false,
      error: 'not-found',
    });
  });

  it('keeps revisions append-only: UPDATE and DELETE are refused, even to the superuser', async () => {
    const actor = await marketer();
    const saved = await newBlock(actor);
    // The application's role may not; the trigger stops those who may.
    await expect(
      prisma.$executeRaw`UPDATE content_revisions SET body = '{}'::jsonb WHERE id = ${saved.revisionId}::uuid`,
    ).rejects.toThrow(/permission denied|append-only/);
    await expect(adminQuery('DELETE FROM content_revisions WHERE id = $1', [saved.revisionId])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      adminQuery('UPDATE content_revisions SET number = 99 WHERE id = $1', [saved.revisionId]),
    ).rejects.toThrow(/append-only/);
  });
});

function asSegmentInput() {
  return {
    objectId: null as string | null,
    type: 'segment' as const,
    key: key('segment'),
    slot: null,
    body: { name: 'Runners', rule: running },
    expectedLatestRevisionId: null,
  };
}

describe('publications', () => {
  it('publishes at once without approval: live moves, the content version bumps, audited', async () => {
    const actor = await marketer();
    const saved = await newBlock(actor);
    const version = await contentVersion();
    const published = await requestPublication(actor, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
    });
    expect(published).toMatchObject({ ok: true, status: 'applied' });
    expect(await contentVersion()).toBe(version + 1);
    const detail = await getContentObject(saved.objectId);
    expect(detail?.live?.id).toBe(saved.revisionId);
    expect(detail?.publications[0]).toMatchObject({
      action: 'publish',
      status: 'applied',
      requestedByLabel: actor.label,
    });
    expect(await audits(saved.objectId)).toEqual(['content.revision.create', 'content.publish']);
    // Publishing what is already live is a stale request, not a second publication.
    expect(
      await requestPublication(actor, {
        objectId: saved.objectId,
        revisionId: saved.revisionId,
        expectedLiveRevisionId: saved.revisionId,
      }),
    ).toEqual({ ok: false, error: 'stale' });
    const listed = (await listContent('block')).find((o) => o.id === saved.objectId);
    expect(listed).toMatchObject({
      key: detail?.key,
      slot: 'hero',
      live: { number: 1 },
      latest: { number: 1 },
      pending: null,
    });
  });

  it('with CONTENT_APPROVAL=second-person: pending until another member approves; never the requester; rejections keep the live one', async () => {
    getEnv().CONTENT_APPROVAL = 'second-person';
    const [alice, bob] = [await marketer(), await marketer()];
    const saved = await newBlock(alice);
    const requested = await requestPublication(alice, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
      note: 'spring campaign',
    });
    expect(requested).toMatchObject({ ok: true, status: 'pending' });
    const publicationId = requested.ok ? requested.publicationId : '';
    expect((await getContentObject(saved.objectId))?.live).toBeNull();
    expect((await listContent()).find((o) => o.id === saved.objectId)?.pending?.id).toBe(publicationId);

    expect(await decidePublication(alice, { publicationId, approve: true })).toEqual({
      ok: false,
      error: 'same-person',
    });
    expect(await decidePublication(bob, { publicationId: 'x', approve: true })).toEqual({
      ok: false,
      error: 'not-found',
    });
    const version = await contentVersion();
    expect(await decidePublication(bob, { publicationId, approve: true })).toEqual({ ok: true, status: 'applied' });
    expect(await contentVersion()).toBe(version + 1);
    expect(await decidePublication(bob, { publicationId, approve: false })).toEqual({
      ok: false,
      error: 'not-pending',
    });
    const detail = await getContentObject(saved.objectId);
    expect(detail?.live?.id).toBe(saved.revisionId);
    expect(detail?.publications[0]).toMatchObject({
      status: 'applied',
      decidedByLabel: bob.label,
      note: 'spring campaign',
    });

    const second = await saveRevision(alice, {
      objectId: saved.objectId,
      type: 'block',
      key: 'x',
      slot: 'hero',
      body: block({ priority: 99 }),
      expectedLatestRevisionId: saved.revisionId,
    });
    if (!second.ok) throw new Error('not saved');
    const again = await requestPublication(alice, {
      objectId: saved.objectId,
      revisionId: second.revisionId,
      expectedLiveRevisionId: saved.revisionId,
    });
    expect(again).toMatchObject({ ok: true, status: 'pending' });
    expect(
      await decidePublication(bob, { publicationId: again.ok ? again.publicationId : '', approve: false }),
    ).toEqual({
      ok: true,
      status: 'rejected',
    });
    expect((await getContentObject(saved.objectId))?.live?.id).toBe(saved.revisionId);
    expect(await audits(saved.objectId)).toEqual([
      'content.revision.create',
      'content.publish.request',
      'content.publish.approve',
      'content.revision.create',
      'content.publish.request',
      'content.publish.reject',
    ]);
  });

  it('marks an approval stale when the live revision moved since the request', async () => {
    getEnv().CONTENT_APPROVAL = 'second-person';
    const [alice, bob] = [await marketer(), await marketer()];
    const saved = await newBlock(alice);
    const first = await requestPublication(alice, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
    });
    await decidePublication(bob, { publicationId: first.ok ? first.publicationId : '', approve: true });
    const draft = await saveRevision(alice, {
      objectId: saved.objectId,
      type: 'block',
      key: 'x',
      slot: 'hero',
      body: block({ priority: 5 }),
      expectedLatestRevisionId: saved.revisionId,
    });
    if (!draft.ok) throw new Error('not saved');
    const pending = await requestPublication(alice, {
      objectId: saved.objectId,
      revisionId: draft.revisionId,
      expectedLiveRevisionId: saved.revisionId,
    });
    // Meanwhile someone unpublishes (applies at once: it returns to an approved state).
    expect(await unpublish(bob, { objectId: saved.objectId, expectedLiveRevisionId: saved.revisionId })).toEqual({
      ok: true,
    });
    expect(
      await decidePublication(bob, { publicationId: pending.ok ? pending.publicationId : '', approve: true }),
    ).toEqual({
      ok: true,
      status: 'stale',
    });
    expect((await getContentObject(saved.objectId))?.live).toBeNull();
    // A stale expectation is refused on every path.
    expect(await unpublish(bob, { objectId: saved.objectId, expectedLiveRevisionId: saved.revisionId })).toEqual({
      ok: false,
      error: 'stale',
    });
  });

  it('applies exactly one of two concurrent publications built on the same live revision', async () => {
    const actor = await marketer();
    const saved = await newBlock(actor);
    const other = await saveRevision(actor, {
      objectId: saved.objectId,
      type: 'block',
      key: 'x',
      slot: 'hero',
      body: block({ priority: 50 }),
      expectedLatestRevisionId: saved.revisionId,
    });
    if (!other.ok) throw new Error('not saved');
    const version = await contentVersion();
    // Both start while another publication holds the content lock: both read "nothing live" first.
    const holder = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT version FROM content_state WHERE id = 1 FOR UPDATE');
    const racing = Promise.all(
      [saved.revisionId, other.revisionId].map((revisionId) =>
        requestPublication(actor, { objectId: saved.objectId, revisionId, expectedLiveRevisionId: null }),
      ),
    );
    await setTimeout(500);
    await holder.query('COMMIT');
    await holder.end();
    const results = await racing;
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: 'stale' }]);
    expect(await contentVersion()).toBe(version + 1);
    const publications = await prisma.contentPublication.count({ where: { objectId: saved.objectId } });
    expect(publications).toBe(1);
  });

  it('reverts to a revision that was live, at once even under second-person approval; never to one that was not', async () => {
    const actor = await marketer();
    const r1 = await newBlock(actor);
    await requestPublication(actor, { objectId: r1.objectId, revisionId: r1.revisionId, expectedLiveRevisionId: null });
    const r2 = await saveRevision(actor, {
      objectId: r1.objectId,
      type: 'block',
      key: 'x',
      slot: 'hero',
      body: block({ title: { en: 'Oops', fr: 'Oups' } }),
      expectedLatestRevisionId: r1.revisionId,
    });
    if (!r2.ok) throw new Error('not saved');
    await requestPublication(actor, {
      objectId: r1.objectId,
      revisionId: r2.revisionId,
      expectedLiveRevisionId: r1.revisionId,
    });
    const r3 = await saveRevision(actor, {
      objectId: r1.objectId,
      type: 'block',
      key: 'x',
      slot: 'hero',
      body: block({ priority: 1 }),
      expectedLatestRevisionId: r2.revisionId,
    });
    if (!r3.ok) throw new Error('not saved');

    getEnv().CONTENT_APPROVAL = 'second-person';
    expect(
      await revert(actor, {
        objectId: r1.objectId,
        toRevisionId: r3.revisionId,
        expectedLiveRevisionId: r2.revisionId,
      }),
    ).toEqual({
      ok: false,
      error: 'invalid',
      issues: [{ path: '/toRevisionId', message: 'console.content.errors.revert.neverLive' }],
    });
    expect(
      await revert(actor, {
        objectId: r1.objectId,
        toRevisionId: r1.revisionId,
        expectedLiveRevisionId: r2.revisionId,
      }),
    ).toEqual({ ok: true });
    const detail = await getContentObject(r1.objectId);
    expect(detail?.live?.id).toBe(r1.revisionId);
    expect(detail?.publications[0]).toMatchObject({
      action: 'revert',
      status: 'applied',
      fromRevisionId: r2.revisionId,
      toRevisionId: r1.revisionId,
    });
    // Publishing revision 2 again (once approved) needs no second person either.
    expect(
      await requestPublication(actor, {
        objectId: r1.objectId,
        revisionId: r2.revisionId,
        expectedLiveRevisionId: r1.revisionId,
      }),
    ).toMatchObject({ ok: true, status: 'applied' });
    expect((await audits(r1.objectId)).filter((a) => a !== 'content.revision.create')).toEqual([
      'content.publish',
      'content.publish',
      'content.revert',
      'content.publish',
    ]);
  });
});

describe('the live content set', () => {
  it('holds what createContentBlock publishes, and the published settings', async () => {
    const published = await createContentBlock({ slot: 'cross-sell', body: { rule: { locale: { $eq: 'fr' } } } });
    const draft = await createContentBlock({ slot: 'cross-sell', publish: false });
    const actor = await marketer();
    const existing = await prisma.contentObject.findUnique({
      where: { type_key: { type: 'settings', key: 'settings' } },
      select: {
        id: true,
        liveRevisionId: true,
        revisions: { orderBy: { number: 'desc' }, take: 1, select: { id: true } },
      },
    });
    const settings = await saveRevision(actor, {
      objectId: existing?.id ?? null,
      type: 'settings',
      key: 'settings',
      slot: null,
      body: { holdoutPercent: 10 },
      expectedLatestRevisionId: existing?.revisions[0]?.id ?? null,
    });
    if (!settings.ok) throw new Error(JSON.stringify(settings));
    await requestPublication(actor, {
      objectId: settings.objectId,
      revisionId: settings.revisionId,
      expectedLiveRevisionId: existing?.liveRevisionId ?? null,
    });
    expect(
      await saveRevision(actor, {
        ...asSegmentInput(),
        type: 'settings',
        key: 'holdout',
        body: { holdoutPercent: 60 },
      }),
    ).toMatchObject({ ok: false, error: 'invalid', issues: [{ path: '/key' }] });

    const set = await getContentSet({ version: await contentVersion() });
    const keys = set.blocks['cross-sell'].map((b) => b.key);
    expect(keys).toContain(published.key);
    expect(keys).not.toContain(draft.key);
    expect(set.settings).toEqual({ holdoutPercent: 10 });
  });

  it('is cached per content version, reloaded when the decision sees a newer one, with segments and the groups live rules use', async () => {
    const actor = await marketer();
    const segment = await saveRevision(actor, asSegmentInput());
    if (!segment.ok) throw new Error('not saved');
    await requestPublication(actor, {
      objectId: segment.objectId,
      revisionId: segment.revisionId,
      expectedLiveRevisionId: null,
    });
    const segmentKey = (await prisma.contentObject.findUniqueOrThrow({ where: { id: segment.objectId } })).key;
    const targeted = await newBlock(actor, {
      generic: false,
      priority: 500,
      rule: { $and: [{ $savedGroup: { id: segmentKey } }, { locale: { $eq: 'fr' } }] },
    });
    await requestPublication(actor, {
      objectId: targeted.objectId,
      revisionId: targeted.revisionId,
      expectedLiveRevisionId: null,
    });

    const set = await getContentSet();
    expect(set.version).toBe(await contentVersion());
    expect(set.segments[segmentKey]).toEqual(running);
    expect(set.blocks.hero.find((b) => b.objectId === targeted.objectId)).toMatchObject({
      revisionId: targeted.revisionId,
      body: { priority: 500 },
    });
    // The segment's interests and inCart (preferences, signals), the block's locale (profile).
    expect(set.groups).toEqual(['profile', 'preferences', 'signals']);
    expect(await getContentSet()).toBe(set);
    expect(await getContentSet({ version: set.version })).toBe(set);

    // Another instance unpublishes: this process learns it from the version the decision reads.
    const hidden = await newBlock(actor, {}, 'notice');
    await prisma.$transaction([
      prisma.$executeRaw`UPDATE content_objects SET live_revision_id = ${hidden.revisionId}::uuid WHERE id = ${hidden.objectId}::uuid`,
      prisma.$executeRaw`UPDATE content_state SET version = version + 1 WHERE id = 1`,
    ]);
    expect(await getContentSet()).toBe(set);
    const reloaded = await getContentSet({ version: set.version + 1 });
    expect(reloaded.version).toBe(set.version + 1);
    expect(reloaded.blocks.notice.map((b) => b.objectId)).toContain(hidden.objectId);
    // Single flight: concurrent readers of a new version share one load.
    await prisma.$executeRaw`UPDATE content_state SET version = version + 1 WHERE id = 1`;
    const [a, b] = await Promise.all([
      getContentSet({ version: set.version + 2 }),
      getContentSet({ version: set.version + 2 }),
    ]);
    expect(a).toBe(b);
  });
});
