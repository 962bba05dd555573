// A rule or a condition in plain words, FR/EN, on both sides (the console's summary, the
// customer's "why", the preview's reasons). Sentences come from the catalogues
// (personalization.describe.*), values from reference data through the context's labels.
// docs/decisions/035-personalization.md §2
import { ATTRIBUTES, SIGNAL_WINDOWS, type AttributeSpec, type Leaf, type Rule, type SignalWindow } from './catalogue';

export type DescribeContext = {
  /** Translates a message key (under personalization.describe) with values. */
  t: (key: string, values?: Record<string, string | number>) => string;
  categoryLabel: (key: string) => string;
  storeLabel: (key: string) => string;
  segmentName: (key: string) => string;
  /** A home country's name (ISO 3166 code); the code itself when not given. */
  countryLabel?: (code: string) => string;
};

/** countryLabel for a locale: the region's name, or the code when Intl does not know it. */
export function countryNames(locale: 'en' | 'fr'): (code: string) => string {
  const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
  return (code) => {
    try {
      return names.of(code) ?? code;
    } catch {
      // Not a region code at all (RangeError): show it as it is.
      return code;
    }
  };
}

/** A rule as nested groups of sentences. */
export type DescribedRule =
  { kind: 'all' | 'any' | 'none'; children: DescribedRule[] } | { kind: 'condition'; text: string };

/** The message subtree of each attribute that is not a signal. */
const MESSAGE_OF: Record<string, string> = {
  locale: 'locale',
  country: 'country',
  memberDays: 'memberDays',
  favouriteStore: 'favouriteStore',
  'sizes.clothing': 'clothingSize',
  'sizes.shoes': 'shoeSize',
  interests: 'interests',
  channels: 'channels',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function label(spec: AttributeSpec, value: unknown, ctx: DescribeContext): string {
  const v = String(value);
  switch (spec.values) {
    case 'category':
      return ctx.categoryLabel(v);
    case 'store':
      return ctx.storeLabel(v);
    case 'country':
      return ctx.countryLabel?.(v) ?? v;
    case 'locale':
      return v === 'en' || v === 'fr' ? ctx.t(`locales.${v}`) : v;
    case 'channel':
      return ['email', 'sms', 'push', 'post'].includes(v) ? ctx.t(`channelNames.${v}`) : v;
    default:
      return v;
  }
}

/** "A, B or C" in the catalogue's words. */
function list(items: string[], join: 'or' | 'and', ctx: DescribeContext): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${ctx.t(`join.${join}`)} ${items.at(-1)}`;
}

function values(spec: AttributeSpec, value: unknown, join: 'or' | 'and', ctx: DescribeContext): string {
  const items = Array.isArray(value) ? value : [value];
  return list(
    items.map((v) => label(spec, v, ctx)),
    join,
    ctx,
  );
}

/** One condition as a sentence: "you are interested in Running". */
export function describeLeaf(leaf: Leaf, ctx: DescribeContext): string {
  const spec = (ATTRIBUTES as Record<string, AttributeSpec>)[leaf.path];
  if (!spec) return ctx.t('unknown', { path: leaf.path });
  const op = leaf.operator;
  const signal = /^signals\.(\w+)\.(d\d+)$/.exec(leaf.path);
  if (signal) {
    const days = SIGNAL_WINDOWS[signal[2] as SignalWindow];
    const window = ctx.t('window', { days });
    const verb = op === '$nin' ? 'nin' : op === '$in' || op === '$all' ? 'in' : null;
    if (!verb) return ctx.t('unknown', { path: leaf.path });
    return ctx.t(`signals.${signal[1]}.${verb}`, {
      values: values(spec, leaf.value, op === '$all' ? 'and' : 'or', ctx),
      window,
    });
  }
  const key = MESSAGE_OF[leaf.path]!;
  switch (spec.kind) {
    case 'number': {
      const verb = { $gt: 'gt', $gte: 'gte', $lt: 'lt', $lte: 'lte' }[op];
      if (!verb || typeof leaf.value !== 'number') return ctx.t('unknown', { path: leaf.path });
      return ctx.t(`${key}.${verb}`, { days: leaf.value });
    }
    case 'set': {
      const verb = { $in: 'in', $all: 'in', $nin: 'nin' }[op];
      if (!verb) return ctx.t('unknown', { path: leaf.path });
      return ctx.t(`${key}.${verb}`, { values: values(spec, leaf.value, op === '$all' ? 'and' : 'or', ctx) });
    }
    case 'scalar': {
      if (op === '$exists') return ctx.t(`${key}.${leaf.value === false ? 'unset' : 'set'}`);
      const verb = { $eq: 'is', $in: 'is', $ne: 'isNot', $nin: 'isNot' }[op];
      if (!verb) return ctx.t('unknown', { path: leaf.path });
      return ctx.t(`${key}.${verb}`, { values: values(spec, leaf.value, 'or', ctx) });
    }
  }
}

function describeAt(rule: unknown, pointer: string, ctx: DescribeContext): DescribedRule {
  if (!isObject(rule)) return { kind: 'condition', text: ctx.t('unknown', { path: pointer }) };
  const children: DescribedRule[] = [];
  for (const [key, value] of Object.entries(rule)) {
    const at = `${pointer}/${escapePointer(key)}`;
    const groupOf = (kind: 'all' | 'any' | 'none'): DescribedRule => ({
      kind,
      children: (Array.isArray(value) ? value : []).map((child, i) => collapse(describeAt(child, `${at}/${i}`, ctx))),
    });
    if (key === '$and') children.push(...flatten(groupOf('all')));
    else if (key === '$or') children.push(groupOf('any'));
    else if (key === '$nor') children.push(groupOf('none'));
    else if (key === '$not') children.push({ kind: 'none', children: [collapse(describeAt(value, at, ctx))] });
    else if (key === '$savedGroup') {
      const id = isObject(value) && typeof value.id === 'string' ? value.id : '';
      children.push({ kind: 'condition', text: ctx.t('segment', { name: ctx.segmentName(id) }) });
    } else {
      // The importer rewrites a bare value to $eq; read one the same way.
      const operators = isObject(value) ? value : { $eq: value };
      for (const [operator, operand] of Object.entries(operators)) {
        const leaf = { pointer: `${at}/${escapePointer(operator)}`, path: key, operator, value: operand };
        children.push({ kind: 'condition', text: describeLeaf(leaf, ctx) });
      }
    }
  }
  return { kind: 'all', children };
}

/** An "all" inside an "all" reads as one list. */
function flatten(node: DescribedRule): DescribedRule[] {
  return node.kind === 'all' ? node.children.flatMap((c) => (c.kind === 'all' ? flatten(c) : [c])) : [node];
}

/**
 * A rule as nested groups: conditions side by side are "all"; `$or` "any"; `$nor` and `$not`
 * "none". A single condition comes back as itself; the empty rule (generic) as an empty "all".
 */
export function describeRule(rule: Rule, ctx: DescribeContext): DescribedRule {
  return collapse(describeAt(rule, '', ctx));
}

function collapse(node: DescribedRule): DescribedRule {
  const children = flatten(node);
  return node.kind === 'all' && children.length === 1
    ? children[0]!
    : node.kind === 'all'
      ? { kind: 'all', children }
      : node;
}
