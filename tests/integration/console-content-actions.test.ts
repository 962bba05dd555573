import { randomUUID } from 'node:crypto';

import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { estimateAudienceAction, saveBlockAction, saveSegmentAction } from '@/app/console/(signed-in)/content/actions';
import type { BlockBody } from '@/lib/validation/content';
import { saveRevision } from '@/server/personalization/content';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { STAFF_SESSION_COOKIE } from '@/server/platform/cookies';
import { prisma } from '@/server/platform/db';
import { createStaffMember, createStaffSessionFor, TEST_ACTOR } from '@/tests/factories';

// docs/decisions/035-personalization.md §6: the console's block and segment editors and the
// audience estimate. Every action checks the member's permission first, refuses bad input with a
// message, and writes nothing when it refuses.

// next.config.mjs's experimental.authInterrupts, which `next build` inlines as this variable.
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';

const browser = { token: '', requestId: '' };

vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  cookies: async () =>
    new RequestCookies(
      new Headers({
        cookie: `${STAFF_SESSION_COOKIE.http}=${browser.token}; ${STAFF_SESSION_COOKIE.https}=${browser.token}`,
      }),
    ),
  headers: async () =>
    new Headers({ 'user-agent': 'vitest', 'x-request-id': browser.requestId, 'x-accord-path': '/console/content' }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));

async function signInAs(roles: Parameters<typeof createStaffMember>[0]['roles']) {
  const staff = await createStaffMember({ roles });
  browser.token = (await createStaffSessionFor(staff.id)).token;
  return staff;
}

beforeAll(async () => {
  // Rules name categories from the reference data, applied on every start.
  await applyPersonalizationReferenceData();
});

beforeEach(() => {
  browser.requestId = randomUUID();
});

const uniqueKey = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

function block(overrides: Partial<BlockBody> = {}): BlockBody {
  return {
    title: { en: 'Trail season', fr: 'La saison du trail' },
    text: { en: 'New shoes are in.', fr: 'Les nouvelles chaussures sont là.' },
    image: null,
    cta: { label: { en: 'See them', fr: 'Les voir' }, url: '/shop/trail' },
    startsAt: null,
    endsAt: null,
    priority: 10,
    generic: false,
    rule: { $and: [{ interests: { $in: ['running'] } }] },
    ...overrides,
  };
}

const revisionsOf = (objectId: string) => prisma.contentRevision.count({ where: { objectId } });
const contentRows = async () => ({
  objects: await prisma.contentObject.count(),
  revisions: await prisma.contentRevision.count(),
});

/** A block saved by the CLI, as the content engineer's import would. */
async function existingBlock(slot: 'hero' | 'notice' = 'hero') {
  const saved = await saveRevision(TEST_ACTOR, {
    objectId: null,
    type: 'block',
    key: uniqueKey('block'),
    slot,
    body: block(),
    expectedLatestRevisionId: null,
  });
  if (!saved.ok) throw new Error(saved.error);
  return saved;
}

describe('console content actions: permissions', () => {
  it('refuses a support agent every editor action, audits the refusal, writes nothing', async () => {
    const agent = await signInAs(['support-agent']);
    const before = await contentRows();
    const input = { objectId: null, slot: 'hero', key: uniqueKey('x'), expectedLatestRevisionId: null, body: block() };
    for (const call of [
      () => saveBlockAction(input),
      () => saveSegmentAction({ ...input, slot: undefined, body: { name: 'Runners', rule: {} } }),
      () => estimateAudienceAction({ rule: {} }),
    ]) {
      browser.requestId = randomUUID();
      await expect(call()).rejects.toMatchObject({ digest: 'NEXT_HTTP_ERROR_FALLBACK;403' });
    }
    expect(await contentRows()).toEqual(before);
    const denied = await prisma.auditLog.findMany({
      where: { actorStaffId: agent.id, action: 'access.denied' },
      select: { details: true },
    });
    expect(denied.map((d) => (d.details as { permission: string }).permission).sort()).toEqual([
      'content.edit',
      'content.edit',
      'content.view',
    ]);
  });

  it('signed out, redirects to the console sign-in and writes nothing', async () => {
    browser.token = 'not-a-session';
    await expect(saveBlockAction({})).rejects.toMatchObject({ digest: expect.stringContaining('NEXT_REDIRECT') });
  });
});

describe('console content actions: bad input', () => {
  it('refuses over-long values with the field and its message, nothing written', async () => {
    await signInAs(['marketer']);
    const before = await contentRows();
    const result = await saveBlockAction({
      objectId: null,
      slot: 'hero',
      key: uniqueKey('long'),
      expectedLatestRevisionId: null,
      body: block({
        title: { en: 'x'.repeat(121), fr: 'ok' },
        cta: { label: { en: 'a', fr: 'b' }, url: '//evil.example' },
      }),
    });
    expect(result).toEqual({
      ok: false,
      fieldErrors: {
        'body.title.en': 'console.content.errors.title.tooLong',
        'body.cta.url': 'console.content.errors.url.invalid',
      },
    });
    expect(await contentRows()).toEqual(before);
  });

  it('refuses a bad key, a forged slot or malformed ids, nothing written', async () => {
    await signInAs(['marketer']);
    const before = await contentRows();
    const base = { objectId: null, slot: 'hero', key: uniqueKey('ok'), expectedLatestRevisionId: null, body: block() };
    expect(await saveBlockAction({ ...base, key: 'Not A Key' })).toMatchObject({
      ok: false,
      fieldErrors: { key: 'console.content.errors.key' },
    });
    for (const forged of [
      { slot: 'sidebar' },
      { objectId: "1' OR 1=1" },
      { expectedLatestRevisionId: 42 },
      { extra: true },
    ]) {
      const result = await saveBlockAction({ ...base, ...forged });
      expect(result.ok, JSON.stringify(forged)).toBe(false);
    }
    expect(await saveBlockAction('nonsense')).toMatchObject({ ok: false });
    expect(await contentRows()).toEqual(before);
  });

  it('refuses 51 conditions with a message, nothing written', async () => {
    await signInAs(['marketer']);
    const before = await contentRows();
    const rule = { $and: Array.from({ length: 51 }, (_, i) => ({ memberDays: { $gt: i } })) };
    const result = await saveBlockAction({
      objectId: null,
      slot: 'hero',
      key: uniqueKey('many'),
      expectedLatestRevisionId: null,
      body: block({ rule }),
    });
    expect(result).toEqual({ ok: false, fieldErrors: { 'body.rule': 'console.content.rule.tooManyConditions' } });
    expect(
      await saveSegmentAction({
        objectId: null,
        key: uniqueKey('many'),
        expectedLatestRevisionId: null,
        body: { name: 'Too many', rule },
      }),
    ).toEqual({ ok: false, fieldErrors: { 'body.rule': 'console.content.rule.tooManyConditions' } });
    expect(await estimateAudienceAction({ rule })).toEqual({
      ok: false,
      message: 'console.content.estimate.invalidRule',
    });
    expect(await contentRows()).toEqual(before);
  });

  it('limits estimates to 30 a minute per member', async () => {
    await signInAs(['marketer']);
    for (let i = 0; i < 30; i++) {
      const result = await estimateAudienceAction({ rule: { $and: [{ locale: { $eq: 'fr' } }] } });
      expect(result).not.toMatchObject({ message: 'common.rateLimited' });
    }
    expect(await estimateAudienceAction({ rule: {} })).toMatchObject({ ok: false, message: 'common.rateLimited' });
    // Another member has their own budget.
    await signInAs(['marketer']);
    expect(await estimateAudienceAction({ rule: {} })).not.toMatchObject({ message: 'common.rateLimited' });
  });
});

describe('console content actions: the estimate', () => {
  it('gives a marketer the four figures and masked samples, audits nothing', async () => {
    const marketer = await signInAs(['marketer']);
    const result = await estimateAudienceAction({ rule: { $and: [{ locale: { $in: ['en', 'fr'] } }] } });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const { population, granted, matching, reachable, sample } = result.estimate;
    expect(population).toBeGreaterThanOrEqual(granted);
    expect(granted).toBeGreaterThanOrEqual(matching);
    expect(matching).toBeGreaterThanOrEqual(reachable);
    for (const s of sample) expect(s.maskedEmail).toContain('•');
    expect(await prisma.auditLog.count({ where: { actorStaffId: marketer.id } })).toBe(0);
  });
});

describe('console content actions: saving drafts', () => {
  it('creates a block and keeps HTML as typed text, audited as the member', async () => {
    const marketer = await signInAs(['marketer']);
    const html = '<img src=x onerror=alert(1)>Trail';
    const result = await saveBlockAction({
      objectId: null,
      slot: 'you-might-like',
      key: uniqueKey('html'),
      expectedLatestRevisionId: null,
      body: block({ title: { en: html, fr: 'Trail' } }),
    });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const revision = await prisma.contentRevision.findUniqueOrThrow({ where: { id: result.revisionId } });
    expect((revision.body as BlockBody).title.en).toBe(html);
    expect(revision.authorStaffId).toBe(marketer.id);
    expect(
      await prisma.auditLog.count({
        where: { actorStaffId: marketer.id, action: 'content.revision.create', objectId: result.objectId },
      }),
    ).toBe(1);
  });

  it('saves a revision against the one the form loaded; a stale form saves nothing and says so', async () => {
    await signInAs(['marketer']);
    const existing = await existingBlock();
    const object = await prisma.contentObject.findUniqueOrThrow({ where: { id: existing.objectId } });
    const edit = (expected: string, title: string) =>
      saveBlockAction({
        objectId: existing.objectId,
        slot: 'hero',
        key: object.key,
        expectedLatestRevisionId: expected,
        body: block({ title: { en: title, fr: title } }),
      });
    const first = await edit(existing.revisionId, 'First edit');
    expect(first).toMatchObject({ ok: true, objectId: existing.objectId, number: existing.number + 1 });
    // A second tab still holds the revision the first edit replaced.
    expect(await edit(existing.revisionId, 'Second tab')).toEqual({
      ok: false,
      message: 'console.content.editor.stale',
    });
    expect(await revisionsOf(existing.objectId)).toBe(2);
  });

  it("answers not found for another slot's block, a segment's id or an unknown id, nothing written", async () => {
    await signInAs(['marketer']);
    const hero = await existingBlock('hero');
    const segment = await saveRevision(TEST_ACTOR, {
      objectId: null,
      type: 'segment',
      key: uniqueKey('segment'),
      slot: null,
      body: { name: 'Runners', rule: { interests: { $in: ['running'] } } },
      expectedLatestRevisionId: null,
    });
    if (!segment.ok) throw new Error(segment.error);
    const before = await contentRows();
    const forge = (objectId: string, slot: string, expected: string) =>
      saveBlockAction({ objectId, slot, key: uniqueKey('forged'), expectedLatestRevisionId: expected, body: block() });
    for (const result of [
      await forge(hero.objectId, 'notice', hero.revisionId),
      await forge(segment.objectId, 'hero', segment.revisionId),
      await forge(randomUUID(), 'hero', randomUUID()),
    ]) {
      expect(result).toEqual({ ok: false, message: 'console.content.editor.notFound' });
    }
    // And a segment save cannot take a block's id.
    expect(
      await saveSegmentAction({
        objectId: hero.objectId,
        key: uniqueKey('forged'),
        expectedLatestRevisionId: hero.revisionId,
        body: { name: 'x', rule: {} },
      }),
    ).toEqual({ ok: false, message: 'console.content.editor.notFound' });
    expect(await contentRows()).toEqual(before);
  });

  it('saves a segment a block can then refer to', async () => {
    await signInAs(['marketer']);
    const key = uniqueKey('runners');
    const saved = await saveSegmentAction({
      objectId: null,
      key,
      expectedLatestRevisionId: null,
      body: {
        name: 'Runners',
        rule: { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] },
      },
    });
    expect(saved).toMatchObject({ ok: true, number: 1 });
    const usesIt = await saveBlockAction({
      objectId: null,
      slot: 'cross-sell',
      key: uniqueKey('uses'),
      expectedLatestRevisionId: null,
      body: block({ rule: { $and: [{ $savedGroup: { id: key } }] } }),
    });
    expect(usesIt).toMatchObject({ ok: true });
  });
});
