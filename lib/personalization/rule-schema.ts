// The accepted subset of GrowthBook's condition format (docs/decisions/035-personalization.md §2),
// generated from the attribute catalogue. It runs in the browser (the console's builder) and on
// the server; what needs the database (categories, stores, segments, the retention) is checked by
// validateRuleReferences on the server. Issues are message keys under console.content.rule.
import * as z from 'zod/mini';

import { locales } from '@/lib/i18n/config';

import {
  ATTRIBUTES,
  CHANNELS,
  OPERATORS,
  SIGNAL_WINDOWS,
  SIZE_SYSTEMS,
  type AttributePath,
  type AttributeSpec,
  type AttributeValues,
  type Leaf,
  type Rule,
  type SignalWindow,
} from './catalogue';

const E = 'console.content.rule.';
export const RULE_ERRORS = {
  invalidCondition: `${E}invalidCondition`,
  unknownAttribute: `${E}unknownAttribute`,
  operatorNotAllowed: `${E}operatorNotAllowed`,
  invalidValue: `${E}invalidValue`,
  tooManyConditions: `${E}tooManyConditions`,
  tooDeep: `${E}tooDeep`,
  tooLarge: `${E}tooLarge`,
  segmentInSegment: `${E}segmentInSegment`,
  unknownSegment: `${E}unknownSegment`,
  unknownCategory: `${E}unknownCategory`,
  unknownStore: `${E}unknownStore`,
  windowBeyondRetention: `${E}windowBeyondRetention`,
} as const;

export const RULE_LIMITS = { conditions: 50, depth: 6, values: 100, bytes: 16 * 1024, days: 100_000 } as const;

const LOGIC = ['$and', '$or', '$nor'] as const;
const KEY = /^[a-z0-9][a-z0-9-]{0,31}$/;
const SEGMENT_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;

const string = z.string();
const VALUE_SCHEMAS: Record<AttributeValues, z.ZodMiniType> = {
  locale: z.enum(locales),
  country: string.check(z.regex(/^[A-Z]{2}$/)),
  store: string.check(z.regex(KEY)),
  category: string.check(z.regex(KEY)),
  'size.clothing': z.enum(SIZE_SYSTEMS.clothing),
  'size.shoes': z.enum(SIZE_SYSTEMS.shoes),
  channel: z.enum(CHANNELS),
  days: z.number().check(z.int(), z.minimum(0), z.maximum(RULE_LIMITS.days)),
};

/** The schema of an operator's value for an attribute: one value, a list, or $exists's boolean. */
function operandSchema(spec: AttributeSpec, operator: string): z.ZodMiniType {
  const one = VALUE_SCHEMAS[spec.values];
  if (operator === '$exists') return z.boolean();
  if (operator === '$in' || operator === '$nin' || operator === '$all') {
    return z.array(one).check(z.minLength(1), z.maxLength(RULE_LIMITS.values));
  }
  return one;
}

const OPERAND_SCHEMAS = new Map(
  Object.entries(ATTRIBUTES as Record<string, AttributeSpec>).flatMap(([path, spec]) =>
    OPERATORS[spec.kind].map((op) => [`${path} ${op}`, operandSchema(spec, op)] as const),
  ),
);

export function isAttributePath(path: string): path is AttributePath {
  return Object.hasOwn(ATTRIBUTES, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type RulePath = Array<string | number>;
export type RuleIssue = { pointer: string; message: string };

/** RFC 6901 JSON pointer of a path. */
export function toPointer(path: RulePath): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The rule with shorthands rewritten: {"locale": "fr"} becomes {"locale": {"$eq": "fr"}}. */
export function normalizeRule(rule: Rule): Rule {
  return Object.fromEntries(
    Object.entries(rule).map(([key, value]) => {
      if (LOGIC.includes(key as (typeof LOGIC)[number]) && Array.isArray(value)) {
        return [key, value.map((r) => (isObject(r) ? normalizeRule(r) : r))];
      }
      if (key === '$not' && isObject(value)) return [key, normalizeRule(value)];
      if (typeof value === 'string' && isAttributePath(key)) return [key, { $eq: value }];
      return [key, value];
    }),
  );
}

/**
 * The structural check, on a normalized rule: known paths, allowed operators, value shapes, the
 * depth and (segments not inlined) the number of conditions.
 */
function checkStructure(rule: Rule, allowSegments: boolean): Array<{ path: RulePath; message: string }> {
  const issues: Array<{ path: RulePath; message: string }> = [];
  const add = (path: RulePath, message: string) => issues.push({ path, message });
  let conditions = 0;

  const walk = (node: unknown, path: RulePath, depth: number) => {
    if (!isObject(node)) return add(path, RULE_ERRORS.invalidCondition);
    if (depth > RULE_LIMITS.depth) return add(path, RULE_ERRORS.tooDeep);
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (LOGIC.includes(key as (typeof LOGIC)[number])) {
        if (!Array.isArray(value) || value.length === 0) {
          add(at, RULE_ERRORS.invalidCondition);
          continue;
        }
        value.forEach((child, i) => walk(child, [...at, i], depth + 1));
      } else if (key === '$not') {
        walk(value, at, depth + 1);
      } else if (key === '$savedGroup') {
        if (!allowSegments) add(at, RULE_ERRORS.segmentInSegment);
        else if (!isObject(value) || Object.keys(value).length !== 1 || typeof value.id !== 'string') {
          add(at, RULE_ERRORS.invalidCondition);
        } else if (!SEGMENT_KEY.test(value.id)) add([...at, 'id'], RULE_ERRORS.unknownSegment);
      } else if (key.startsWith('$') || !isAttributePath(key)) {
        add(at, RULE_ERRORS.unknownAttribute);
      } else if (!isObject(value) || Object.keys(value).length === 0) {
        // A number or a list compared as a whole: GrowthBook's meaning, not one we translate.
        add(at, RULE_ERRORS.operatorNotAllowed);
      } else {
        const spec: AttributeSpec = ATTRIBUTES[key];
        for (const [operator, operand] of Object.entries(value)) {
          conditions++;
          if (!OPERATORS[spec.kind].includes(operator)) {
            add([...at, operator], RULE_ERRORS.operatorNotAllowed);
          } else if (!OPERAND_SCHEMAS.get(`${key} ${operator}`)!.safeParse(operand).success) {
            add([...at, operator], RULE_ERRORS.invalidValue);
          }
        }
      }
    }
  };
  walk(rule, [], 1);
  if (conditions > RULE_LIMITS.conditions) issues.push({ path: [], message: RULE_ERRORS.tooManyConditions });
  if (new TextEncoder().encode(JSON.stringify(rule)).length > RULE_LIMITS.bytes) {
    issues.push({ path: [], message: RULE_ERRORS.tooLarge });
  }
  return issues;
}

function ruleSchema(allowSegments: boolean) {
  return z.pipe(
    z.pipe(
      z.record(z.string(), z.unknown(), { error: RULE_ERRORS.invalidCondition }),
      z.transform((rule: Rule) => normalizeRule(rule)),
    ),
    z.record(z.string(), z.unknown()).check(
      z.superRefine((rule, ctx) => {
        for (const issue of checkStructure(rule, allowSegments)) {
          ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: rule });
        }
      }),
    ),
  ) as unknown as z.ZodMiniType<Rule, unknown>;
}

/** A block's rule; the output is normalized (shorthands rewritten). `{}` matches everyone. */
export const RuleSchema = ruleSchema(true);
/** A segment's rule: no segment in a segment. */
export const SegmentRuleSchema = ruleSchema(false);

/**
 * Every path/operator pair of a normalized rule, in document order, with its JSON pointer
 * (segments are not inlined: a `$savedGroup` is no leaf).
 */
export function ruleLeaves(rule: Rule): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (node: unknown, path: RulePath) => {
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (LOGIC.includes(key as (typeof LOGIC)[number]) && Array.isArray(value)) {
        value.forEach((child, i) => walk(child, [...path, key, i]));
      } else if (key === '$not') {
        walk(value, [...path, key]);
      } else if (key !== '$savedGroup' && isObject(value)) {
        for (const [operator, operand] of Object.entries(value)) {
          leaves.push({ pointer: toPointer([...path, key, operator]), path: key, operator, value: operand });
        }
      }
    }
  };
  walk(rule, []);
  return leaves;
}

/** The segment keys a rule refers to, with the pointer of each reference. */
export function ruleSegments(rule: Rule): Array<{ pointer: string; id: string }> {
  const found: Array<{ pointer: string; id: string }> = [];
  const walk = (node: unknown, path: RulePath) => {
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (LOGIC.includes(key as (typeof LOGIC)[number]) && Array.isArray(value)) {
        value.forEach((child, i) => walk(child, [...path, key, i]));
      } else if (key === '$not') {
        walk(value, [...path, key]);
      } else if (key === '$savedGroup' && isObject(value) && typeof value.id === 'string') {
        found.push({ pointer: toPointer([...path, key, 'id']), id: value.id });
      }
    }
  };
  walk(rule, []);
  return found;
}

/** Conditions (path/operator pairs) of a rule, each segment it uses inlined. */
export function countConditions(rule: Rule, segments: Record<string, Rule>): number {
  return (
    ruleLeaves(rule).length +
    ruleSegments(rule).reduce((n, s) => {
      const segment = Object.hasOwn(segments, s.id) ? segments[s.id] : undefined;
      return n + (segment ? ruleLeaves(segment).length : 0);
    }, 0)
  );
}

/**
 * Everything wrong with a rule, the schema's issues first, then what needs reference data:
 * categories and stores that exist, segments that exist (and the total with them inlined),
 * windows within the retention. An empty list means the rule may be saved.
 */
export function validateRuleReferences(
  rule: unknown,
  refs: {
    categories: Iterable<string>;
    stores: Iterable<string>;
    segments: Record<string, Rule>;
    retentionDays: number;
    /** For a segment's own rule. */
    inSegment?: boolean;
  },
): RuleIssue[] {
  const parsed = (refs.inSegment ? SegmentRuleSchema : RuleSchema).safeParse(rule);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => ({ pointer: toPointer(i.path as RulePath), message: i.message }));
  }
  const normalized = parsed.data;
  const categories = new Set(refs.categories);
  const stores = new Set(refs.stores);
  const issues: RuleIssue[] = [];
  for (const leaf of ruleLeaves(normalized)) {
    const spec: AttributeSpec = ATTRIBUTES[leaf.path as AttributePath];
    const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
    if (spec.values === 'category' && values.some((v) => !categories.has(v as string))) {
      issues.push({ pointer: leaf.pointer, message: RULE_ERRORS.unknownCategory });
    }
    if (spec.values === 'store' && leaf.operator !== '$exists' && values.some((v) => !stores.has(v as string))) {
      issues.push({ pointer: leaf.pointer, message: RULE_ERRORS.unknownStore });
    }
    if (spec.group === 'signals') {
      const window = leaf.path.split('.')[2] as SignalWindow;
      if (SIGNAL_WINDOWS[window] > refs.retentionDays) {
        issues.push({
          pointer: leaf.pointer.slice(0, leaf.pointer.lastIndexOf('/')),
          message: RULE_ERRORS.windowBeyondRetention,
        });
      }
    }
  }
  for (const ref of ruleSegments(normalized)) {
    if (!Object.hasOwn(refs.segments, ref.id))
      issues.push({ pointer: ref.pointer, message: RULE_ERRORS.unknownSegment });
  }
  if (countConditions(normalized, refs.segments) > RULE_LIMITS.conditions) {
    issues.push({ pointer: '', message: RULE_ERRORS.tooManyConditions });
  }
  // One issue per pointer and message: a window used twice is said once.
  return issues.filter((a, i) => issues.findIndex((b) => b.pointer === a.pointer && b.message === a.message) === i);
}

/**
 * The attribute groups a rule reads, its segments' included: what loadAttributes must be asked for
 * (decide reads only these).
 */
export function ruleGroups(rule: Rule, segments: Record<string, Rule>): Array<AttributeSpec['group']> {
  const groups = new Set<AttributeSpec['group']>();
  const visit = (r: Rule, seen: ReadonlySet<string>) => {
    for (const leaf of ruleLeaves(r)) {
      if (isAttributePath(leaf.path)) groups.add(ATTRIBUTES[leaf.path].group);
    }
    for (const s of ruleSegments(r)) {
      if (!seen.has(s.id) && Object.hasOwn(segments, s.id)) visit(segments[s.id]!, new Set(seen).add(s.id));
    }
  };
  visit(rule, new Set());
  return (['profile', 'preferences', 'signals'] as const).filter((g) => groups.has(g));
}
