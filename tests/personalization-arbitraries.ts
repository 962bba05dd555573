// fast-check arbitraries of rules, segments and attributes (docs/decisions/035-personalization.md §3):
// catalogue path × allowed operator × small value domains, so that generated rules hit as often as
// they miss. Shared by the evaluator's unit test, the SQL property test, the builder's tests and
// the bench. Every rule generated passes RuleSchema (a unit test checks it).
import fc from 'fast-check';

import {
  ATTRIBUTES,
  CHANNELS,
  OPERATORS,
  SIGNAL_ATTRIBUTE_KINDS,
  SIGNAL_WINDOWS,
  type AttributePath,
  type Attributes,
  type AttributeSpec,
  type AttributeValues,
  type Rule,
  type SignalWindow,
} from '@/lib/personalization/catalogue';
import { ruleLeaves } from '@/lib/personalization/rule-schema';

/** The values rules and customers draw from: few, so that they meet. */
export const RULE_DOMAINS: Record<Exclude<AttributeValues, 'days'>, readonly string[]> = {
  locale: ['en', 'fr'],
  country: ['FR', 'BE', 'CA'],
  store: ['paris-rivoli', 'lyon-part-dieu'],
  'size.clothing': ['S', 'M', 'L'],
  'size.shoes': ['40', '42'],
  category: ['running', 'hiking', 'cycling', 'yoga'],
  channel: CHANNELS,
};
/** memberDays thresholds near the customers' ages. */
const DAYS = [0, 1, 2, 29, 30, 31, 365];

const PATHS = Object.keys(ATTRIBUTES) as AttributePath[];
const WINDOWS = Object.keys(SIGNAL_WINDOWS) as SignalWindow[];

function operand(spec: AttributeSpec, operator: string): fc.Arbitrary<unknown> {
  if (operator === '$exists') return fc.boolean();
  if (spec.values === 'days') return fc.constantFrom(...DAYS);
  const domain = RULE_DOMAINS[spec.values];
  if (operator === '$in' || operator === '$nin' || operator === '$all') {
    return fc.subarray([...domain], { minLength: 1, maxLength: Math.min(3, domain.length) });
  }
  return fc.constantFrom(...domain);
}

/** One attribute with one operator (numbers sometimes with two: a range). */
export const leafEntryArbitrary: fc.Arbitrary<[string, Record<string, unknown>]> = fc
  .constantFrom(...PATHS)
  .chain((path) => {
    const spec: AttributeSpec = ATTRIBUTES[path];
    const operators = OPERATORS[spec.kind];
    return fc
      .uniqueArray(fc.constantFrom(...operators), { minLength: 1, maxLength: spec.kind === 'number' ? 2 : 1 })
      .chain((ops) => fc.tuple(...ops.map((op) => operand(spec, op).map((v) => [op, v] as const))))
      .map((pairs) => [path, Object.fromEntries(pairs)] as [string, Record<string, unknown>]);
  });

export type RuleArbitraryOptions = {
  /** Logic levels below the top object (the schema allows 5). */
  maxDepth?: number;
  /** Segment keys a rule may refer to; none in a segment's own rule. */
  segmentKeys?: readonly string[];
};

function entries(depth: number, segmentKeys: readonly string[]): fc.Arbitrary<[string, unknown]> {
  const options: Array<fc.WeightedArbitrary<[string, unknown]>> = [{ arbitrary: leafEntryArbitrary, weight: 4 }];
  if (depth > 0) {
    const child = node(depth - 1, segmentKeys);
    const group = (op: string) =>
      fc.array(child, { minLength: 1, maxLength: 3 }).map((xs) => [op, xs] as [string, unknown]);
    options.push(
      { arbitrary: group('$and'), weight: 1 },
      { arbitrary: group('$or'), weight: 2 },
      { arbitrary: group('$nor'), weight: 1 },
      { arbitrary: child.map((c) => ['$not', c] as [string, unknown]), weight: 1 },
    );
  }
  if (segmentKeys.length > 0) {
    options.push({
      arbitrary: fc.constantFrom(...segmentKeys).map((id) => ['$savedGroup', { id }] as [string, unknown]),
      weight: 1,
    });
  }
  return fc.oneof(...options);
}

function node(depth: number, segmentKeys: readonly string[]): fc.Arbitrary<Rule> {
  // The first entry of a key wins: a condition object's keys are unique.
  return fc
    .uniqueArray(entries(depth, segmentKeys), { minLength: 1, maxLength: 3, selector: ([key]) => key })
    .map((xs) => Object.fromEntries(xs));
}

/** A rule in the accepted subset (normalized), never `{}`, of at most `maxConditions` (24) leaves. */
export function ruleArbitrary(options: RuleArbitraryOptions & { maxConditions?: number } = {}): fc.Arbitrary<Rule> {
  const max = options.maxConditions ?? 24;
  return node(options.maxDepth ?? 3, options.segmentKeys ?? []).filter((rule) => ruleLeaves(rule).length <= max);
}

/** Saved segments under the given keys (their rules use no segment). */
export function segmentsArbitrary(keys: readonly string[]): fc.Arbitrary<Record<string, Rule>> {
  return fc
    .tuple(...keys.map(() => ruleArbitrary({ maxDepth: 2, maxConditions: 8 })))
    .map((rules) => Object.fromEntries(keys.map((k, i) => [k, rules[i] as Rule])));
}

const nullable = (values: readonly string[]) => fc.option(fc.constantFrom(...values), { nil: null });

/**
 * A customer's attributes as loadAttributes builds them: every signal window holds the ones
 * below it (d1 ⊆ d7 ⊆ d30 ⊆ d90), and inCart is within cartAdded.
 */
export const attributesArbitrary: fc.Arbitrary<Attributes> = fc
  .record({
    locale: fc.constantFrom(...RULE_DOMAINS.locale),
    country: nullable(RULE_DOMAINS.country),
    memberDays: fc.constantFrom(...DAYS, 3, 100, 1000),
    favouriteStore: nullable(RULE_DOMAINS.store),
    sizes: fc.record({
      clothing: nullable(RULE_DOMAINS['size.clothing']),
      shoes: nullable(RULE_DOMAINS['size.shoes']),
    }),
    interests: fc.subarray([...RULE_DOMAINS.category]),
    channels: fc.subarray([...RULE_DOMAINS.channel]),
    // For each kind and category: the first window it appears in (4 = none).
    ages: fc.array(
      fc.array(fc.integer({ min: 0, max: WINDOWS.length + 1 }), {
        minLength: RULE_DOMAINS.category.length,
        maxLength: RULE_DOMAINS.category.length,
      }),
      { minLength: SIGNAL_ATTRIBUTE_KINDS.length, maxLength: SIGNAL_ATTRIBUTE_KINDS.length },
    ),
  })
  .map(({ ages, ...rest }) => {
    const inWindow = (kind: number, w: number) =>
      RULE_DOMAINS.category.filter((_, c) => {
        // inCart (index 3) only where cartAdded (index 1) is, and not earlier.
        const at = (k: number) => ages[k]?.[c] ?? Infinity;
        const age = kind === 3 ? Math.max(at(3), at(1)) : at(kind);
        return age <= w;
      });
    const signals = Object.fromEntries(
      SIGNAL_ATTRIBUTE_KINDS.map((kind, k) => [kind, Object.fromEntries(WINDOWS.map((w, i) => [w, inWindow(k, i)]))]),
    ) as Attributes['signals'];
    return { ...rest, signals };
  });
