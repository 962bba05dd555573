// Two revisions of a content object compared field by field, for the console's history page
// (docs/decisions/035-personalization.md §4 "Diff"): texts word by word (`diff`), rules whole
// (the page shows both in plain language and as JSON), anything else as before → after.
import { diffWords } from 'diff';

import type { Rule } from './catalogue';

export type WordPart = { kind: 'same' | 'added' | 'removed'; text: string };

export type FieldChange =
  | { field: string; kind: 'text'; parts: WordPart[] }
  | { field: string; kind: 'value'; before: unknown; after: unknown }
  | { field: string; kind: 'rule'; before: Rule | null; after: Rule | null };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Goes into objects present on both sides; a top-level `rule` is one field (a tree, compared as
 * a whole), and so is an object on one side only (an image added: one change, not three).
 */
function compare(path: string, a: unknown, b: unknown, into: FieldChange[]): void {
  if (same(a, b)) return;
  if (path === 'rule') {
    into.push({ field: path, kind: 'rule', before: isObject(a) ? a : null, after: isObject(b) ? b : null });
  } else if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      compare(path ? `${path}.${key}` : key, a[key], b[key], into);
  } else if (typeof a === 'string' && typeof b === 'string') {
    const parts = diffWords(a, b).map((c): WordPart => ({
      kind: c.added ? 'added' : c.removed ? 'removed' : 'same',
      text: c.value,
    }));
    into.push({ field: path, kind: 'text', parts });
  } else {
    into.push({ field: path, kind: 'value', before: a ?? null, after: b ?? null });
  }
}

/** The fields that differ, in the order the bodies list them (a first revision: before is null). */
export function diffRevisionBodies(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  compare('', isObject(before) ? before : {}, isObject(after) ? after : {}, changes);
  return changes;
}
