import { randomUUID } from 'node:crypto';

import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  decidePublicationAction,
  publishRevisionAction,
  revertAction,
  unpublishAction,
} from '@/app/console/(signed-in)/content/blocks/[id]/history/actions';
import { previewCustomerAction } from '@/app/console/(signed-in)/content/preview/actions';
import { saveHoldoutAction } from '@/app/console/(signed-in)/content/settings/actions';
import type { BlockBody } from '@/lib/validation/content';
import {
  getContentObject,
  getContentSet,
  listContent,
  saveRevision,
  SETTINGS_KEY,
} from '@/server/personalization/content';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { STAFF_SESSION_COOKIE } from '@/server/platform/cookies';
import { prisma } from '@/server/platform/db';
import { createStaffMember, createStaffSessionFor, TEST_ACTOR } from '@/tests/factories';

// docs/decisions/035-personalization.md §4, §6: publishing from the console. Each action checks
// content.publish first, acts only on the revision the page showed (stale otherwise), and under
// CONTENT_APPROVAL=second-person a new revision waits for another member.
vi.hoisted(() => {
  process.env.CONTENT_APPROVAL = 'second-person';
});
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
const useSession = async (staff: { id: string }) => {
  browser.token = (await createStaffSessionFor(staff.id)).token;
};

beforeAll(() => applyPersonalizationReferenceData());
beforeEach(() => {
  browser.requestId = randomUUID();
});

const body = (title: string): BlockBody => ({
  title: { en: title, fr: title },
  text: { en: '', fr: '' },
  image: null,
  cta: null,
  startsAt: null,
  endsAt: null,
  priority: 10,
  generic: false,
  rule: { interests: { $in: ['running'] } },
});

async function blockWithRevisions(count: number) {
  const key = `publish-${randomUUID().slice(0, 8)}`;
  let objectId: string | null = null;
  const revisions: string[] = [];
  for (let i = 1; i <= count; i++) {
    const saved = await saveRevision(TEST_ACTOR, {
      objectId,
      type: 'block',
      key,
      slot: 'hero',
      body: body(`Revision ${i}`),
      expectedLatestRevisionId: revisions.at(-1) ?? null,
    });
    if (!saved.ok) throw new Error(saved.error);
    objectId = saved.objectId;
    revisions.push(saved.revisionId);
  }
  return { objectId: objectId!, revisions };
}

const live = async (objectId: string) => (await getContentObject(objectId))!.live?.id ?? null;
const rowCounts = async () => ({
  publications: await prisma.contentPublication.count(),
  revisions: await prisma.contentRevision.count(),
  audit: await prisma.auditLog.count({ where: { action: { startsWith: 'content.' } } }),
});

describe('publishing from the history page', () => {
  it('asks a second member, refuses approval by its author, then applies; unpublish and revert at once', async () => {
    const author = await signInAs(['marketer']);
    const { objectId, revisions } = await blockWithRevisions(2);
    const [first, second] = revisions as [string, string];

    const requested = await publishRevisionAction({
      objectId,
      revisionId: first,
      expectedLiveRevisionId: null,
      note: 'Spring campaign',
    });
    expect(requested).toEqual({ ok: true, status: 'pending' });
    const pending = (await getContentObject(objectId))!.pending!;
    expect(pending).toMatchObject({ status: 'pending', note: 'Spring campaign', requestedByStaffId: author.id });

    // The author cannot approve it (the button is hidden; the server refuses too).
    expect(await decidePublicationAction({ objectId, publicationId: pending.id, approve: true })).toEqual({
      ok: false,
      message: 'console.content.history.errors.same-person',
    });
    expect(await live(objectId)).toBeNull();

    await signInAs(['marketer']);
    expect(await decidePublicationAction({ objectId, publicationId: pending.id, approve: true })).toEqual({
      ok: true,
      status: 'applied',
    });
    expect(await live(objectId)).toBe(first);
    expect(await decidePublicationAction({ objectId, publicationId: pending.id, approve: false })).toEqual({
      ok: false,
      message: 'console.content.history.errors.not-pending',
    });

    // A page loaded before revision 1 went live sends null as the live revision: stale, nothing changes.
    await useSession(author);
    expect(await publishRevisionAction({ objectId, revisionId: second, expectedLiveRevisionId: null })).toEqual({
      ok: false,
      message: 'console.content.history.errors.stale',
    });

    expect(await unpublishAction({ objectId, expectedLiveRevisionId: first })).toEqual({ ok: true, status: 'applied' });
    expect(await live(objectId)).toBeNull();
    // Revision 1 was live (approved): back to it at once, no second person.
    expect(await revertAction({ objectId, toRevisionId: first, expectedLiveRevisionId: null })).toEqual({
      ok: true,
      status: 'applied',
    });
    expect(await live(objectId)).toBe(first);

    const actions = await prisma.auditLog.findMany({
      where: { objectId, action: { startsWith: 'content.' } },
      orderBy: { id: 'asc' },
      select: { action: true },
    });
    expect(actions.map((a) => a.action)).toEqual([
      'content.revision.create',
      'content.revision.create',
      'content.publish.request',
      'content.publish.approve',
      'content.unpublish',
      'content.revert',
    ]);
  });

  it('refuses a support agent, forged ids and bad notes, writing nothing', async () => {
    const { objectId, revisions } = await blockWithRevisions(1);
    const other = await blockWithRevisions(1);
    await signInAs(['support-agent']);
    const before = await rowCounts();
    for (const call of [
      () => publishRevisionAction({ objectId, revisionId: revisions[0], expectedLiveRevisionId: null }),
      () => unpublishAction({ objectId, expectedLiveRevisionId: revisions[0] }),
      () => revertAction({ objectId, toRevisionId: revisions[0], expectedLiveRevisionId: null }),
      () => decidePublicationAction({ objectId, publicationId: '1', approve: true }),
      () => saveHoldoutAction({ holdoutPercent: 5, expectedLatestRevisionId: null, expectedLiveRevisionId: null }),
      () => previewCustomerAction({ email: 'someone@example.com', reason: 'x', locale: 'en' }),
    ]) {
      browser.requestId = randomUUID();
      await expect(call()).rejects.toMatchObject({ digest: 'NEXT_HTTP_ERROR_FALLBACK;403' });
    }

    await signInAs(['marketer']);
    // Another block's revision, a revision id that is not a UUID, an over-long note.
    expect(
      await publishRevisionAction({ objectId, revisionId: other.revisions[0], expectedLiveRevisionId: null }),
    ).toMatchObject({ ok: false });
    expect(await publishRevisionAction({ objectId, revisionId: "1' OR 1=1", expectedLiveRevisionId: null })).toEqual({
      ok: false,
      fieldErrors: { revisionId: 'console.content.history.errors.notFound' },
    });
    expect(
      await publishRevisionAction({
        objectId,
        revisionId: revisions[0],
        expectedLiveRevisionId: null,
        note: 'n'.repeat(501),
      }),
    ).toEqual({ ok: false, fieldErrors: { note: 'console.content.history.errors.noteTooLong' } });
    expect(await revertAction({ objectId: 'x', toRevisionId: revisions[0], expectedLiveRevisionId: null })).toEqual({
      ok: false,
      message: 'console.content.history.errors.notFound',
    });
    expect(await decidePublicationAction({ objectId, publicationId: '99999999', approve: true })).toEqual({
      ok: false,
      message: 'console.content.history.errors.notFound',
    });
    expect(await rowCounts()).toEqual(before);
    expect(await live(objectId)).toBeNull();
  });
});

describe('the holdout setting', () => {
  it('is a settings revision published through the same path, refused outside 0–50', async () => {
    const author = await signInAs(['marketer']);
    const before = await rowCounts();
    for (const holdoutPercent of [51, -1, 2.5, '10', null]) {
      expect(
        await saveHoldoutAction({ holdoutPercent, expectedLatestRevisionId: null, expectedLiveRevisionId: null }),
      ).toEqual({ ok: false, fieldErrors: { holdoutPercent: 'console.content.errors.holdout' } });
    }
    expect(await rowCounts()).toEqual(before);

    const existing = (await listContent('settings')).find((o) => o.key === SETTINGS_KEY);
    const saved = await saveHoldoutAction({
      holdoutPercent: 10,
      expectedLatestRevisionId: existing?.latest.id ?? null,
      expectedLiveRevisionId: existing?.live?.id ?? null,
    });
    expect(saved).toEqual({ ok: true, status: 'pending' });
    const settings = (await listContent('settings')).find((o) => o.key === SETTINGS_KEY)!;
    expect(settings.latest.body).toEqual({ holdoutPercent: 10 });
    expect(settings.pending).toMatchObject({ requestedByStaffId: author.id });

    await signInAs(['marketer']);
    expect(
      await decidePublicationAction({ objectId: settings.id, publicationId: settings.pending!.id, approve: true }),
    ).toEqual({ ok: true, status: 'applied' });
    expect((await getContentSet()).settings.holdoutPercent).toBe(10);

    // A form loaded before that change is stale: nothing saved.
    const stale = await saveHoldoutAction({
      holdoutPercent: 20,
      expectedLatestRevisionId: existing?.latest.id ?? null,
      expectedLiveRevisionId: existing?.live?.id ?? null,
    });
    expect(stale).toEqual({ ok: false, message: 'console.content.history.errors.stale' });
    expect((await getContentSet()).settings.holdoutPercent).toBe(10);
  });
});

describe('the preview action', () => {
  it('asks for a reason and a valid address before reading or auditing anything', async () => {
    const member = await signInAs(['marketer']);
    expect(await previewCustomerAction({ email: 'a@example.com', reason: '  ', locale: 'en' })).toEqual({
      ok: false,
      fieldErrors: { reason: 'console.content.preview.errors.reasonRequired' },
    });
    expect(await previewCustomerAction({ email: 'not-an-address', reason: 'r', locale: 'en' })).toEqual({
      ok: false,
      fieldErrors: { email: 'console.content.preview.errors.emailInvalid' },
    });
    expect(
      await previewCustomerAction({ email: `nobody-${randomUUID()}@example.com`, reason: 'Checking', locale: 'fr' }),
    ).toEqual({
      ok: false,
      fieldErrors: { email: 'console.content.preview.errors.notFound' },
    });
    const rows = await prisma.auditLog.findMany({
      where: { actorStaffId: member.id },
      select: { action: true, reason: true },
    });
    expect(rows).toEqual([{ action: 'content.preview', reason: 'Checking' }]);
  });
});
