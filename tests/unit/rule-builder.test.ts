import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  countConditions,
  fromRule,
  MAX_CONDITIONS,
  newCondition,
  toRule,
  withOperator,
  withPath,
  type BuilderNode,
  type ConditionRow,
  type GroupNode,
} from '@/components/console/rule-builder-state';
import { ATTRIBUTES, OPERATORS, type AttributePath, type Rule } from '@/lib/personalization/catalogue';
import { RuleSchema, countConditions as schemaCount } from '@/lib/personalization/rule-schema';

// docs/decisions/035-personalization.md §6: the builder edits AND/OR groups and emits only the rule
// schema's subset; a rule it loads comes back unchanged when saved.

/** The state without the ids that only key React's lists. */
function shape(node: BuilderNode): unknown {
  if (node.type === 'group') return { type: 'group', combinator: node.combinator, children: node.children.map(shape) };
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'id'));
}

const PATHS = Object.keys(ATTRIBUTES) as AttributePath[];
const VALUES: Record<string, string[]> = {
  locale: ['en', 'fr'],
  country: ['FR', 'BE'],
  store: ['paris-rivoli', 'lyon-part-dieu'],
  'size.clothing': ['S', 'M'],
  'size.shoes': ['40', '42'],
  category: ['running', 'hiking', 'yoga'],
  channel: ['email', 'sms'],
};

const conditionArb: fc.Arbitrary<ConditionRow> = fc
  .constantFrom(...PATHS)
  .chain((path) => fc.tuple(fc.constant(path), fc.constantFrom(...OPERATORS[ATTRIBUTES[path].kind])))
  .chain(([path, operator]) => {
    const spec = ATTRIBUTES[path];
    const domain = VALUES[spec.values] ?? [];
    const value: fc.Arbitrary<ConditionRow['value']> =
      spec.kind === 'number'
        ? fc.integer({ min: 0, max: 3650 })
        : operator === '$exists'
          ? fc.boolean()
          : operator === '$eq' || operator === '$ne'
            ? fc.constantFrom(...domain)
            : fc.uniqueArray(fc.constantFrom(...domain), { minLength: 1 });
    return value.map((v) => ({ id: 'x', type: 'condition' as const, path, operator, value: v }));
  });

const segmentArb = fc
  .constantFrom('runners', 'lapsed')
  .map((segment) => ({ id: 'x', type: 'segment' as const, segment }));

const { group: groupArb } = fc.letrec<{ group: GroupNode; node: BuilderNode }>((tie) => ({
  group: fc.record({
    id: fc.constant('x'),
    type: fc.constant('group' as const),
    combinator: fc.constantFrom('and' as const, 'or' as const),
    children: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
  }),
  node: fc.oneof({ maxDepth: 3, withCrossShrink: true }, conditionArb, segmentArb, tie('group')),
}));

describe('the rule builder', () => {
  it('maps every state to a rule and back, and the rule passes the rule schema', () => {
    fc.assert(
      fc.property(groupArb, (root) => {
        const rule = toRule(root);
        expect(RuleSchema.safeParse(rule).success).toBe(true);
        const back = fromRule(rule);
        expect(back.ok).toBe(true);
        if (back.ok) {
          expect(shape(back.root)).toEqual(shape(root));
          expect(toRule(back.root)).toEqual(rule);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('emits only $and, $or, $savedGroup and attribute paths with an allowed operator', () => {
    const keys = new Set<string>();
    const walk = (rule: unknown): void => {
      if (Array.isArray(rule)) return rule.forEach(walk);
      if (typeof rule !== 'object' || rule === null) return;
      for (const [key, value] of Object.entries(rule)) {
        if (key === '$and' || key === '$or') {
          keys.add(key);
          walk(value);
        } else if (key === '$savedGroup') {
          keys.add(key);
          expect(Object.keys(value as object)).toEqual(['id']);
        } else {
          expect(Object.keys(ATTRIBUTES)).toContain(key);
          const ops = Object.keys(value as object);
          expect(ops).toHaveLength(1);
          expect(OPERATORS[ATTRIBUTES[key as AttributePath].kind]).toContain(ops[0]);
        }
      }
    };
    fc.assert(
      fc.property(groupArb, (root) => walk(toRule(root))),
      { numRuns: 200 },
    );
    expect([...keys].sort()).toEqual(['$and', '$or', '$savedGroup']);
  });

  it("reads the ADR's rules: an implicit AND, the $eq shorthand, windows in the path", () => {
    const abandoned: Rule = {
      'signals.cartAdded.d7': { $in: ['running'] },
      'signals.purchased.d7': { $nin: ['running'] },
    };
    const read = fromRule(abandoned);
    expect(read.ok && shape(read.root)).toEqual({
      type: 'group',
      combinator: 'and',
      children: [
        { type: 'condition', path: 'signals.cartAdded.d7', operator: '$in', value: ['running'] },
        { type: 'condition', path: 'signals.purchased.d7', operator: '$nin', value: ['running'] },
      ],
    });
    expect(read.ok && toRule(read.root)).toEqual({
      $and: [{ 'signals.cartAdded.d7': { $in: ['running'] } }, { 'signals.purchased.d7': { $nin: ['running'] } }],
    });

    const acceptance: Rule = {
      $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }],
    };
    const acc = fromRule(acceptance);
    expect(acc.ok && toRule(acc.root)).toEqual(acceptance);

    const shorthand = fromRule({ locale: 'fr' });
    expect(shorthand.ok && toRule(shorthand.root)).toEqual({ $and: [{ locale: { $eq: 'fr' } }] });
    expect(fromRule({}).ok && toRule((fromRule({}) as { root: GroupNode }).root)).toEqual({});
  });

  it('refuses what it cannot show rather than dropping it', () => {
    for (const rule of [
      { $nor: [{ locale: { $eq: 'fr' } }] },
      { $not: { locale: { $eq: 'fr' } } },
      { name: { $eq: 'x' } },
      { locale: { $regex: 'f.*' } },
      { memberDays: { $in: [1] } },
      { interests: { $eq: 'running' } },
      { memberDays: { $gt: '30' } },
      { $savedGroup: { id: 'a', attributeKey: 'id' } },
      { $and: { locale: { $eq: 'fr' } } },
    ]) {
      expect(fromRule(rule as Rule), JSON.stringify(rule)).toEqual({ ok: false });
    }
  });

  it('counts conditions as the schema does, segments inlined', () => {
    const segments: Record<string, Rule> = {
      runners: { $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }] },
      lapsed: { memberDays: { $gt: 400 } },
    };
    const sizes = { runners: 2, lapsed: 1 };
    fc.assert(
      fc.property(groupArb, (root) => {
        expect(countConditions(root, sizes)).toBe(schemaCount(toRule(root), segments));
      }),
      { numRuns: 200 },
    );
    const many: Rule = { $and: Array.from({ length: MAX_CONDITIONS + 1 }, () => ({ locale: { $eq: 'fr' } })) };
    const read = fromRule(many);
    expect(read.ok && countConditions(read.root)).toBe(51);
    expect(RuleSchema.safeParse(many).success).toBe(false);
  });

  it('keeps what still fits when the attribute or operator changes', () => {
    const row = { ...newCondition('interests'), value: ['running'] };
    expect(withPath(row, 'signals.viewed.d30')).toMatchObject({ operator: '$in', value: ['running'] });
    expect(withPath(row, 'memberDays')).toMatchObject({ operator: '$gt', value: 0 });
    const locale = { ...newCondition('locale'), value: 'fr' };
    expect(withOperator(locale, '$ne')).toMatchObject({ value: 'fr' });
    expect(withOperator(locale, '$in')).toMatchObject({ value: [] });
    expect(withOperator(locale, '$exists')).toMatchObject({ value: true });
  });
});
