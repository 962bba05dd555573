// The rule builder's state and its two-way mapping to a rule in GrowthBook's condition format
// (docs/decisions/035-personalization.md §2, §6). The builder edits AND/OR groups of rows; it emits
// only `$and`, `$or`, `$savedGroup` and `{path: {operator: value}}`, a subset of the rule schema, so
// what a marketer builds is always a rule the server accepts. Rules it cannot show as groups
// ($nor, $not: written by the CLI) come back as `{ ok: false }` and the editor keeps them as JSON.
import {
  ATTRIBUTES,
  OPERATORS,
  SIGNAL_WINDOWS,
  type AttributePath,
  type AttributeSpec,
  type Rule,
  type SignalWindow,
} from '@/lib/personalization/catalogue';
import { RULE_LIMITS } from '@/lib/personalization/rule-schema';

/** The schema's limit (path/operator pairs, segments inlined). */
export const MAX_CONDITIONS = RULE_LIMITS.conditions;
/** How deep the builder lets groups nest (the schema allows depth 6, counting the conditions). */
export const MAX_GROUP_DEPTH = 4;

export type ConditionValue = string | string[] | number | boolean;
export type ConditionRow = {
  id: string;
  type: 'condition';
  path: AttributePath;
  operator: string;
  value: ConditionValue;
};
export type SegmentRow = { id: string; type: 'segment'; segment: string };
export type GroupNode = { id: string; type: 'group'; combinator: 'and' | 'or'; children: BuilderNode[] };
export type BuilderNode = ConditionRow | SegmentRow | GroupNode;

let lastId = 0;
/** Row ids only key React's lists; they never reach the rule. */
export function nextId(): string {
  lastId += 1;
  return `n${lastId}`;
}

export function emptyGroup(combinator: 'and' | 'or' = 'and'): GroupNode {
  return { id: nextId(), type: 'group', combinator, children: [] };
}

export function attributeSpec(path: AttributePath): AttributeSpec {
  return ATTRIBUTES[path];
}

export function isAttributePath(path: string): path is AttributePath {
  return Object.hasOwn(ATTRIBUTES, path);
}

/** A signal attribute's path without its window (`signals.cartAdded`), or the path itself. */
export function basePath(path: AttributePath): string {
  return path.startsWith('signals.') ? path.slice(0, path.lastIndexOf('.')) : path;
}

export function windowOf(path: AttributePath): SignalWindow | null {
  return path.startsWith('signals.') ? (path.slice(path.lastIndexOf('.') + 1) as SignalWindow) : null;
}

export const WINDOWS = Object.keys(SIGNAL_WINDOWS) as SignalWindow[];

/** The value an operator starts with: lists empty, $exists true, numbers 0. */
export function defaultValue(path: AttributePath, operator: string): ConditionValue {
  const { kind } = ATTRIBUTES[path];
  if (kind === 'number') return 0;
  if (operator === '$exists') return true;
  if (kind === 'scalar' && (operator === '$eq' || operator === '$ne')) return '';
  return [];
}

export function newCondition(path: AttributePath = 'interests'): ConditionRow {
  const operator = OPERATORS[ATTRIBUTES[path].kind][0]!;
  return { id: nextId(), type: 'condition', path, operator, value: defaultValue(path, operator) };
}

/** The row after the marketer picked another attribute: its operator and value kept when still allowed. */
export function withPath(row: ConditionRow, path: AttributePath): ConditionRow {
  const operators = OPERATORS[ATTRIBUTES[path].kind];
  const sameKind =
    ATTRIBUTES[path].kind === ATTRIBUTES[row.path].kind && ATTRIBUTES[path].values === ATTRIBUTES[row.path].values;
  if (sameKind) return { ...row, path };
  const operator = operators.includes(row.operator) ? row.operator : operators[0]!;
  return { ...row, path, operator, value: defaultValue(path, operator) };
}

export function withOperator(row: ConditionRow, operator: string): ConditionRow {
  const before = defaultValue(row.path, row.operator);
  const after = defaultValue(row.path, operator);
  const sameShape = Array.isArray(before) === Array.isArray(after) && typeof before === typeof after;
  return { ...row, operator, value: sameShape ? row.value : after };
}

function valueFits(path: AttributePath, operator: string, value: unknown): value is ConditionValue {
  const expected = defaultValue(path, operator);
  if (Array.isArray(expected)) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (typeof expected === 'number') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === typeof expected;
}

function nodeToRule(node: BuilderNode): Rule {
  switch (node.type) {
    case 'condition':
      return { [node.path]: { [node.operator]: node.value } };
    case 'segment':
      return { $savedGroup: { id: node.segment } };
    case 'group': {
      const children = node.children.map(nodeToRule).filter((r) => Object.keys(r).length > 0);
      if (children.length === 0) return {};
      return { [node.combinator === 'and' ? '$and' : '$or']: children };
    }
  }
}

/** The rule a builder state stands for; an empty root is `{}` (a generic block's rule). */
export function toRule(root: GroupNode): Rule {
  return nodeToRule(root);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The nodes of one rule object: each key is a row or a group; several keys are an implicit AND. */
function parseObject(rule: unknown): BuilderNode[] | null {
  if (!isPlainObject(rule)) return null;
  const nodes: BuilderNode[] = [];
  for (const [key, value] of Object.entries(rule)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) return null;
      const children: BuilderNode[] = [];
      for (const item of value) {
        const parsed = parseObject(item);
        if (!parsed) return null;
        if (parsed.length === 1) children.push(parsed[0]!);
        else if (parsed.length > 1) children.push({ id: nextId(), type: 'group', combinator: 'and', children: parsed });
      }
      nodes.push({ id: nextId(), type: 'group', combinator: key === '$and' ? 'and' : 'or', children });
    } else if (key === '$savedGroup') {
      if (!isPlainObject(value) || typeof value.id !== 'string' || Object.keys(value).length !== 1) return null;
      nodes.push({ id: nextId(), type: 'segment', segment: value.id });
    } else if (key.startsWith('$') || !isAttributePath(key)) {
      return null;
    } else {
      // `{"locale": "fr"}` is GrowthBook's shorthand for $eq.
      const operators =
        isPlainObject(value) && Object.keys(value).every((k) => k.startsWith('$')) ? value : { $eq: value };
      const allowed = OPERATORS[ATTRIBUTES[key].kind];
      for (const [operator, operand] of Object.entries(operators)) {
        if (!allowed.includes(operator) || !valueFits(key, operator, operand)) return null;
        nodes.push({ id: nextId(), type: 'condition', path: key, operator, value: operand });
      }
    }
  }
  return nodes;
}

/** The builder state of a rule, or `{ ok: false }` when the rule uses what the builder cannot show. */
export function fromRule(rule: Rule): { ok: true; root: GroupNode } | { ok: false } {
  const nodes = parseObject(rule);
  if (!nodes) return { ok: false };
  const [only] = nodes;
  if (nodes.length === 1 && only?.type === 'group') return { ok: true, root: only };
  return { ok: true, root: { id: nextId(), type: 'group', combinator: 'and', children: nodes } };
}

/** Conditions as the schema counts them: each row one, each segment as many as its own rule holds. */
export function countConditions(node: BuilderNode, segmentSizes: Record<string, number> = {}): number {
  switch (node.type) {
    case 'condition':
      return 1;
    case 'segment':
      return segmentSizes[node.segment] ?? 1;
    case 'group':
      return node.children.reduce((sum, child) => sum + countConditions(child, segmentSizes), 0);
  }
}

export function groupDepth(node: BuilderNode): number {
  return node.type === 'group' ? 1 + Math.max(0, ...node.children.map(groupDepth)) : 0;
}

/** Rows still missing a value (an empty list, an empty text): the rule would not mean what it shows. */
export function incompleteRows(node: BuilderNode): string[] {
  switch (node.type) {
    case 'condition':
      return (Array.isArray(node.value) && node.value.length === 0) || node.value === '' ? [node.id] : [];
    case 'segment':
      return node.segment === '' ? [node.id] : [];
    case 'group':
      return node.children.flatMap(incompleteRows);
  }
}

/** The tree with `node` (found by id) replaced; `null` removes it. */
export function replaceNode(root: GroupNode, id: string, next: BuilderNode | null): GroupNode {
  const walk = (node: BuilderNode): BuilderNode | null => {
    if (node.id === id) return next;
    if (node.type !== 'group') return node;
    return { ...node, children: node.children.map(walk).filter((n): n is BuilderNode => n !== null) };
  };
  return (walk(root) as GroupNode | null) ?? emptyGroup();
}
