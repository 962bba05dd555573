import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { parseHypothetical, toAttributes } from '@/app/console/(signed-in)/content/preview/hypothetical';
import type { BlockBody } from '@/lib/validation/content';
import { requestPublication, saveRevision } from '@/server/personalization/content';
import { contentWithDraft, previewHypothetical } from '@/server/personalization/preview';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { TEST_ACTOR } from '@/tests/factories';

// The preview's hypothetical customer (docs/decisions/035-personalization.md §6): the live
// blocks evaluated against attributes the marketer sets, nobody read; and a draft tried in place
// of its block's live revision.

beforeAll(() => applyPersonalizationReferenceData());

const body = (title: string, overrides: Partial<BlockBody> = {}): BlockBody => ({
  title: { en: title, fr: title },
  text: { en: '', fr: '' },
  image: null,
  cta: null,
  startsAt: null,
  endsAt: null,
  priority: 10,
  generic: false,
  rule: { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] },
  ...overrides,
});

async function block(key: string, content: BlockBody, publish = true) {
  const saved = await saveRevision(TEST_ACTOR, {
    objectId: null,
    type: 'block',
    key,
    slot: 'cross-sell',
    body: content,
    expectedLatestRevisionId: null,
  });
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  if (publish) {
    const published = await requestPublication(TEST_ACTOR, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
    });
    if (!published.ok) throw new Error(published.error);
  }
  return saved;
}

describe('the hypothetical customer', () => {
  it('parses the form, dropping values it does not know', () => {
    const { form, dropped } = parseHypothetical({
      interests: ['running', 'golf', 'running'],
      cart: 'trail',
      country: 'fr',
      memberDays: 'abc',
      store: 'nowhere',
      locale: 'en',
    });
    expect(form).toMatchObject({ interests: ['running'], cart: ['trail'], country: 'FR', memberDays: 30, store: '' });
    expect(dropped).toBe(3);
    const attributes = toAttributes(form);
    expect(attributes.signals.inCart).toEqual({ d1: [], d7: ['trail'], d30: ['trail'], d90: ['trail'] });
    expect(attributes.signals.purchased.d7).toEqual([]);
  });

  it('shows the matching block by priority, says why the others are not shown', async () => {
    const tag = randomUUID().slice(0, 6);
    await block(`hypo-generic-${tag}`, body('Everyone', { generic: true, rule: {}, priority: 1000 }));
    await block(`hypo-running-${tag}`, body('Running', { priority: 50 }));
    await block(`hypo-running-low-${tag}`, body('Running too', { priority: 5 }));
    await block(`hypo-later-${tag}`, body('Later', { startsAt: '2999-01-01T00:00:00Z' }));

    const mine = (list: Awaited<ReturnType<typeof previewHypothetical>>['cross-sell']) =>
      Object.fromEntries(list.filter((c) => c.key.endsWith(tag)).map((c) => [c.key.replace(`-${tag}`, ''), c]));

    const cartOnly = parseHypothetical({ cart: 'running', locale: 'en' }).form;
    const seen = mine((await previewHypothetical(toAttributes(cartOnly), { locale: 'en' }))['cross-sell']);
    // The slot holds one block: the best targeted match, before any generic one.
    expect(seen['hypo-running']).toMatchObject({ outcome: 'shown', title: 'Running' });
    expect(seen['hypo-running-low']).toMatchObject({ outcome: 'lower-priority' });
    expect(seen['hypo-generic']).toMatchObject({ outcome: 'lower-priority' });
    expect(seen['hypo-later']).toMatchObject({ outcome: 'outside-schedule' });

    const hiker = parseHypothetical({ interests: 'hiking', locale: 'en' }).form;
    const other = mine((await previewHypothetical(toAttributes(hiker), { locale: 'en' }))['cross-sell']);
    expect(other['hypo-running']).toMatchObject({ outcome: 'rule-failed' });
    expect(other['hypo-running']!.failed.map((leaf) => leaf.path).sort()).toEqual(['interests', 'signals.inCart.d7']);
    expect(other['hypo-generic']).toMatchObject({ outcome: 'shown' });
  });

  it('tries a draft in place of the live revision, and refuses what is not a block', async () => {
    const tag = randomUUID().slice(0, 6);
    const draft = await block(`hypo-draft-${tag}`, body('Draft only', { priority: 999 }), false);
    const runner = toAttributes(parseHypothetical({ interests: 'running', locale: 'en' }).form);
    const live = (await previewHypothetical(runner, { locale: 'en' }))['cross-sell'];
    expect(live.some((c) => c.objectId === draft.objectId)).toBe(false);

    const content = await contentWithDraft(draft.objectId);
    expect(content?.groups).toContain('preferences');
    expect(content?.groups).toContain('signals');
    const withDraft = (await previewHypothetical(runner, { locale: 'en', content: content! }))['cross-sell'];
    expect(withDraft.find((c) => c.objectId === draft.objectId)).toMatchObject({
      outcome: 'shown',
      title: 'Draft only',
    });

    const segment = await saveRevision(TEST_ACTOR, {
      objectId: null,
      type: 'segment',
      key: `hypo-segment-${tag}`,
      slot: null,
      body: { name: 'Runners', rule: { interests: { $in: ['running'] } } },
      expectedLatestRevisionId: null,
    });
    if (!segment.ok) throw new Error(segment.error);
    expect(await contentWithDraft(segment.objectId)).toBeNull();
    expect(await contentWithDraft(randomUUID())).toBeNull();
  });
});
