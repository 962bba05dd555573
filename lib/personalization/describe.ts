// CONTRACT STUB (owner: rules engineer): a rule or a condition in plain words, FR/EN, on both
// sides (the console's summary, the customer's "why", the preview's reasons).
import type { Leaf, Rule } from './catalogue';

export type DescribeContext = {
  /** Translates a message key (under personalization.describe) with values. */
  t: (key: string, values?: Record<string, string | number>) => string;
  categoryLabel: (key: string) => string;
  storeLabel: (key: string) => string;
  segmentName: (key: string) => string;
};

/** A rule as nested groups of sentences. */
export type DescribedRule =
  { kind: 'all' | 'any' | 'none'; children: DescribedRule[] } | { kind: 'condition'; text: string };

export function describeRule(rule: Rule, ctx: DescribeContext): DescribedRule {
  throw new Error(`not built yet: describeRule(${JSON.stringify(rule)}, ${typeof ctx})`);
}

export function describeLeaf(leaf: Leaf, ctx: DescribeContext): string {
  throw new Error(`not built yet: describeLeaf(${leaf.path}, ${typeof ctx})`);
}
