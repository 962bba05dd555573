import { describe, expect, it } from 'vitest';

import { diffRevisionBodies } from '@/lib/personalization/revision-diff';

const body = {
  title: { en: 'Running shoes for you', fr: 'Des chaussures de course' },
  text: { en: 'New trail models are in.', fr: '' },
  image: null,
  cta: { label: { en: 'See', fr: 'Voir' }, url: '/shop/running' },
  startsAt: null,
  endsAt: null,
  priority: 10,
  generic: false,
  rule: { interests: { $in: ['running'] } },
};

describe('revision diff', () => {
  it('is empty for the same body', () => {
    expect(diffRevisionBodies(body, structuredClone(body))).toEqual([]);
  });

  it('compares texts word by word, other values whole, the rule as a tree', () => {
    const after = {
      ...body,
      title: { ...body.title, en: 'Trail shoes for you' },
      priority: 20,
      image: { id: 'a'.repeat(64), alt: { en: 'A shoe', fr: 'Une chaussure' } },
      rule: { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] },
    };
    const changes = diffRevisionBodies(body, after);
    expect(changes.map((c) => c.field)).toEqual(['title.en', 'image', 'priority', 'rule']);
    expect(changes[0]).toEqual({
      field: 'title.en',
      kind: 'text',
      parts: [
        { kind: 'removed', text: 'Running' },
        { kind: 'added', text: 'Trail' },
        { kind: 'same', text: ' shoes for you' },
      ],
    });
    expect(changes[1]).toEqual({ field: 'image', kind: 'value', before: null, after: after.image });
    expect(changes[2]).toEqual({ field: 'priority', kind: 'value', before: 10, after: 20 });
    expect(changes[3]).toEqual({ field: 'rule', kind: 'rule', before: body.rule, after: after.rule });
  });

  it('goes into nested fields present on both sides, and treats a first revision as all new', () => {
    const changes = diffRevisionBodies(body, { ...body, cta: { ...body.cta, url: '/shop/trail' } });
    expect(changes).toEqual([
      {
        field: 'cta.url',
        kind: 'text',
        parts: [
          { kind: 'same', text: '/shop/' },
          { kind: 'removed', text: 'running' },
          { kind: 'added', text: 'trail' },
        ],
      },
    ]);
    expect(diffRevisionBodies(null, { holdoutPercent: 5 })).toEqual([
      { field: 'holdoutPercent', kind: 'value', before: null, after: 5 },
    ]);
  });
});
