import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Attributes, Rule } from '@/lib/personalization/catalogue';
import {
  countConditions,
  ruleGroups,
  ruleLeaves,
  RuleSchema,
  SegmentRuleSchema,
  validateRuleReferences,
} from '@/lib/personalization/rule-schema';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';
import { explain, matches } from '@/server/personalization/evaluate';

import { attributesArbitrary, ruleArbitrary, segmentsArbitrary } from '../personalization-arbitraries';

const empty = { d1: [], d7: [], d30: [], d90: [] };
const base: Attributes = {
  locale: 'fr',
  country: 'FR',
  memberDays: 40,
  favouriteStore: null,
  sizes: { clothing: 'M', shoes: null },
  interests: ['running', 'yoga'],
  channels: ['email'],
  signals: {
    viewed: { ...empty, d30: ['hiking'], d90: ['hiking'] },
    cartAdded: { d1: [], d7: ['running'], d30: ['running'], d90: ['running'] },
    purchased: empty,
    inCart: { d1: [], d7: ['running'], d30: ['running'], d90: ['running'] },
  },
};
const refs = {
  categories: ['running', 'hiking', 'yoga', 'cycling'],
  stores: ['paris-rivoli'],
  segments: {} as Record<string, Rule>,
  retentionDays: 90,
};
const messages = (issues: Array<{ message: string }>) => issues.map((i) => i.message);
const SEGMENT_KEYS = ['runners', 'new-members'];

describe('rule schema', () => {
  it('normalizes the shorthand and accepts the acceptance rule', () => {
    expect(RuleSchema.parse({ locale: 'fr' })).toEqual({ locale: { $eq: 'fr' } });
    const acceptance = { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] };
    expect(RuleSchema.parse(acceptance)).toEqual(acceptance);
    expect(RuleSchema.parse({})).toEqual({});
  });

  it('refuses what is outside the subset, with pointers and message keys', () => {
    const issues = validateRuleReferences(
      {
        email: { $eq: 'a@b.c' },
        interests: { $regex: 'run' },
        memberDays: { $gt: 'ten' },
        $or: [],
        $and: [{ 'sizes.clothing': { $eq: 'XXXL' } }, { channels: { $elemMatch: { $eq: 'sms' } } }],
      },
      refs,
    );
    expect(issues).toEqual([
      { pointer: '/email', message: 'console.content.rule.unknownAttribute' },
      { pointer: '/interests/$regex', message: 'console.content.rule.operatorNotAllowed' },
      { pointer: '/memberDays/$gt', message: 'console.content.rule.invalidValue' },
      { pointer: '/$or', message: 'console.content.rule.invalidCondition' },
      { pointer: '/$and/0/sizes.clothing/$eq', message: 'console.content.rule.invalidValue' },
      { pointer: '/$and/1/channels/$elemMatch', message: 'console.content.rule.operatorNotAllowed' },
    ]);
    expect(messages(validateRuleReferences({ interests: ['running'] }, refs))).toEqual([
      'console.content.rule.operatorNotAllowed',
    ]);
    expect(messages(validateRuleReferences('{"locale":"fr"}', refs))).toEqual([
      'console.content.rule.invalidCondition',
    ]);
    const hundredAndOne = Array.from({ length: 101 }, (_, i) => `c${i}`);
    expect(messages(validateRuleReferences({ interests: { $in: hundredAndOne } }, refs))).toEqual([
      'console.content.rule.invalidValue',
    ]);
  });

  it('counts conditions (segments inlined) and depth', () => {
    const fifty = { $and: Array.from({ length: 50 }, () => ({ memberDays: { $gt: 1 } })) };
    expect(validateRuleReferences(fifty, refs)).toEqual([]);
    const fiftyOne = { $and: [...fifty.$and, { locale: 'fr' }] };
    expect(messages(validateRuleReferences(fiftyOne, refs))).toEqual(['console.content.rule.tooManyConditions']);

    const segments = { big: { $and: fifty.$and.slice(0, 45) } };
    const withSegment = { $and: [{ $savedGroup: { id: 'big' } }, ...fifty.$and.slice(0, 5)] };
    expect(countConditions(withSegment, segments)).toBe(50);
    expect(validateRuleReferences(withSegment, { ...refs, segments })).toEqual([]);
    const over = { ...withSegment, locale: { $eq: 'en' } };
    expect(validateRuleReferences(over, { ...refs, segments })).toEqual([
      { pointer: '', message: 'console.content.rule.tooManyConditions' },
    ]);

    let deep: Rule = { locale: { $eq: 'fr' } };
    for (let i = 0; i < 5; i++) deep = { $not: deep };
    expect(validateRuleReferences(deep, refs)).toEqual([]);
    expect(validateRuleReferences({ $or: [deep] }, refs)).toEqual([
      { pointer: '/$or/0/$not/$not/$not/$not/$not', message: 'console.content.rule.tooDeep' },
    ]);
  });

  it('checks reference data, segments and windows on the server', () => {
    expect(
      validateRuleReferences(
        {
          interests: { $in: ['running', 'knitting'] },
          favouriteStore: { $eq: 'tokyo' },
          'signals.viewed.d90': { $in: ['hiking'] },
          $savedGroup: { id: 'nobody' },
        },
        { ...refs, retentionDays: 30 },
      ),
    ).toEqual([
      { pointer: '/interests/$in', message: 'console.content.rule.unknownCategory' },
      { pointer: '/favouriteStore/$eq', message: 'console.content.rule.unknownStore' },
      { pointer: '/signals.viewed.d90', message: 'console.content.rule.windowBeyondRetention' },
      { pointer: '/$savedGroup/id', message: 'console.content.rule.unknownSegment' },
    ]);
    expect(SegmentRuleSchema.safeParse({ $savedGroup: { id: 'runners' } }).error?.issues[0]).toMatchObject({
      path: ['$savedGroup'],
      message: 'console.content.rule.segmentInSegment',
    });
    expect(
      messages(
        validateRuleReferences(
          { $savedGroup: { id: 'runners' } },
          { ...refs, segments: { runners: {} }, inSegment: true },
        ),
      ),
    ).toEqual(['console.content.rule.segmentInSegment']);
  });

  it('has every message key in both catalogues', () => {
    const keys = [
      'invalidCondition',
      'unknownAttribute',
      'operatorNotAllowed',
      'invalidValue',
      'tooManyConditions',
      'tooDeep',
      'tooLarge',
      'segmentInSegment',
      'unknownSegment',
      'unknownCategory',
      'unknownStore',
      'windowBeyondRetention',
    ];
    for (const catalogue of [en, fr]) {
      const rule = (catalogue.console as unknown as { content: { rule: Record<string, string> } }).content.rule;
      expect(Object.keys(rule).sort()).toEqual([...keys].sort());
    }
  });

  it('accepts every generated rule unchanged', () => {
    fc.assert(
      fc.property(ruleArbitrary({ segmentKeys: SEGMENT_KEYS }), (rule) => {
        expect(RuleSchema.parse(rule)).toEqual(rule);
      }),
      { numRuns: 300 },
    );
  });

  it('names the attribute groups a rule reads, segments included', () => {
    const segments = { s: { 'signals.viewed.d7': { $in: ['running'] } } };
    expect(ruleGroups({ $or: [{ memberDays: { $gt: 1 } }, { $savedGroup: { id: 's' } }] }, segments)).toEqual([
      'profile',
      'signals',
    ]);
    expect(ruleGroups({ $not: { interests: { $in: ['running'] } } }, {})).toEqual(['preferences']);
    expect(ruleGroups({}, {})).toEqual([]);
  });

  it('lists leaves with pointers', () => {
    expect(ruleLeaves({ $or: [{ memberDays: { $gt: 1, $lt: 9 } }], $not: { locale: { $eq: 'fr' } } })).toEqual([
      { pointer: '/$or/0/memberDays/$gt', path: 'memberDays', operator: '$gt', value: 1 },
      { pointer: '/$or/0/memberDays/$lt', path: 'memberDays', operator: '$lt', value: 9 },
      { pointer: '/$not/locale/$eq', path: 'locale', operator: '$eq', value: 'fr' },
    ]);
  });
});

describe('evaluate', () => {
  it('follows GrowthBook on AND, OR, NOR, NOT, windows and missing data', () => {
    const m = (rule: Rule, attributes = base) => matches(rule, attributes, {});
    expect(m({ interests: { $in: ['running'] }, locale: { $eq: 'fr' } })).toBe(true);
    expect(m({ interests: { $in: ['running'] }, locale: { $eq: 'en' } })).toBe(false);
    expect(m({ $or: [{ locale: { $eq: 'en' } }, { 'signals.inCart.d7': { $in: ['running'] } }] })).toBe(true);
    expect(m({ 'signals.inCart.d1': { $in: ['running'] } })).toBe(false);
    expect(m({ $nor: [{ locale: { $eq: 'en' } }, { channels: { $in: ['sms'] } }] })).toBe(true);
    expect(m({ $not: { interests: { $all: ['running', 'yoga'] } } })).toBe(false);
    expect(m({ favouriteStore: { $exists: false } })).toBe(true);
    expect(m({ favouriteStore: { $nin: ['paris-rivoli'] } })).toBe(true);
    expect(m({ favouriteStore: { $ne: 'paris-rivoli' } })).toBe(true);
    expect(m({ memberDays: { $gte: 40, $lt: 41 } })).toBe(true);
    expect(m({ 'signals.purchased.d90': { $nin: ['running'] } })).toBe(true);
    expect(m({})).toBe(true);
    expect(matches({ $savedGroup: { id: 'runners' } }, base, { runners: { interests: { $in: ['running'] } } })).toBe(
      true,
    );
    expect(matches({ $savedGroup: { id: 'unknown' } }, base, {})).toBe(false);
  });

  it('explains which conditions held', () => {
    const rule = { $or: [{ interests: { $in: ['cycling'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] };
    expect(explain(rule, base, {})).toEqual({
      matched: true,
      held: [
        { pointer: '/$or/1/signals.inCart.d7/$in', path: 'signals.inCart.d7', operator: '$in', value: ['running'] },
      ],
      failed: [{ pointer: '/$or/0/interests/$in', path: 'interests', operator: '$in', value: ['cycling'] }],
    });
    expect(explain({ $savedGroup: { id: 's' } }, base, { s: { locale: { $eq: 'fr' } } }).held).toEqual([
      { pointer: '/$savedGroup/locale/$eq', path: 'locale', operator: '$eq', value: 'fr' },
    ]);
  });

  it('never contradicts the library on generated rules', () => {
    fc.assert(
      fc.property(
        ruleArbitrary({ segmentKeys: SEGMENT_KEYS }),
        segmentsArbitrary(SEGMENT_KEYS),
        attributesArbitrary,
        (rule, segments, attributes) => {
          const explained = explain(rule, attributes, segments);
          expect(explained.matched).toBe(matches(rule, attributes, segments));
          expect(explained.held.length + explained.failed.length).toBe(countConditions(rule, segments));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
