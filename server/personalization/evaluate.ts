import 'server-only';

// The only importer of @growthbook/growthbook (lint): its root entry also loads the browser SDK,
// and one place keeps the rule language's meaning. docs/decisions/035-personalization.md §2
import { evalCondition, type SavedGroupsPayload } from '@growthbook/growthbook';

import type { Attributes, Leaf, Rule } from '@/lib/personalization/catalogue';
import { toPointer, type RulePath } from '@/lib/personalization/rule-schema';

/** Saved segments by key, for {"$savedGroup": {"id": key}} (GrowthBook's saved groups). */
export type Segments = Record<string, Rule>;

function savedGroups(segments: Segments): SavedGroupsPayload {
  return Object.fromEntries(
    Object.entries(segments).map(([id, condition]) => [id, { type: 'condition', condition }]),
  ) as SavedGroupsPayload;
}

function test(rule: Rule, attributes: Attributes, groups: SavedGroupsPayload): boolean {
  return evalCondition(
    attributes as unknown as Record<string, unknown>,
    rule as Parameters<typeof evalCondition>[1],
    groups,
  );
}

export function matches(rule: Rule, attributes: Attributes, segments: Segments): boolean {
  return test(rule, attributes, savedGroups(segments));
}

/**
 * Which conditions held and which failed; `matched` always equals matches(): the tree's logic is
 * combined here from the library's answer for each leaf alone (a unit test compares the two).
 * A segment's conditions are listed under the pointer of its reference.
 */
export function explain(
  rule: Rule,
  attributes: Attributes,
  segments: Segments,
): { matched: boolean; held: Leaf[]; failed: Leaf[] } {
  const groups = savedGroups(segments);
  const held: Leaf[] = [];
  const failed: Leaf[] = [];

  const node = (n: unknown, path: RulePath, visited: Set<string>): boolean => {
    if (typeof n !== 'object' || n === null || Array.isArray(n)) return false;
    let all = true;
    for (const [key, value] of Object.entries(n)) {
      const at = [...path, key];
      let ok: boolean;
      if (key === '$and') ok = list(value, at, visited).every(Boolean);
      else if (key === '$or') ok = any(list(value, at, visited));
      else if (key === '$nor') ok = !any(list(value, at, visited));
      else if (key === '$not') ok = !node(value, at, visited);
      else if (key === '$savedGroup') {
        const id = (value as { id?: unknown } | null)?.id;
        ok =
          typeof id === 'string' &&
          !visited.has(id) &&
          Object.hasOwn(segments, id) &&
          node(segments[id], at, new Set(visited).add(id));
      } else ok = leaves(key, value, at);
      all &&= ok;
    }
    return all;
  };
  // GrowthBook's $or of nothing holds.
  const any = (results: boolean[]) => results.length === 0 || results.some(Boolean);
  // Every child is evaluated (no short cut), so the explanation lists every condition.
  const list = (value: unknown, path: RulePath, visited: Set<string>): boolean[] =>
    Array.isArray(value) ? value.map((child, i) => node(child, [...path, i], visited)) : [false];
  const leaves = (attribute: string, operators: unknown, path: RulePath): boolean => {
    if (typeof operators !== 'object' || operators === null || Array.isArray(operators)) {
      return test({ [attribute]: operators }, attributes, groups);
    }
    let all = true;
    for (const [operator, value] of Object.entries(operators)) {
      const leaf: Leaf = { pointer: toPointer([...path, operator]), path: attribute, operator, value };
      const ok = test({ [attribute]: { [operator]: value } }, attributes, groups);
      (ok ? held : failed).push(leaf);
      all &&= ok;
    }
    return all;
  };

  return { matched: node(rule, [], new Set()), held, failed };
}
