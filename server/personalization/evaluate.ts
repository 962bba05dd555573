import 'server-only';

// CONTRACT STUB (owner: rules engineer). The only importer of @growthbook/growthbook.
import type { Attributes, Leaf, Rule } from '@/lib/personalization/catalogue';

/** Saved segments by key, for {"$savedGroup": {"id": key}} (GrowthBook's saved groups). */
export type Segments = Record<string, Rule>;

export function matches(rule: Rule, attributes: Attributes, segments: Segments): boolean {
  throw new Error(`not built yet: matches(${JSON.stringify(rule)}, ${attributes.locale}, ${Object.keys(segments)})`);
}

/** Which conditions held and which failed; `matched` always equals matches(). */
export function explain(
  rule: Rule,
  attributes: Attributes,
  segments: Segments,
): { matched: boolean; held: Leaf[]; failed: Leaf[] } {
  throw new Error(`not built yet: explain(${JSON.stringify(rule)}, ${attributes.locale}, ${Object.keys(segments)})`);
}
