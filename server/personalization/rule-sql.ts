import 'server-only';

// One translator of rules to SQL (docs/decisions/035-personalization.md §3), proven equal to the
// evaluator on generated rules and customers by tests/integration/rule-sql.property.test.ts.
// Every fragment is two-valued (IN over non-null ids, comparisons of non-null columns), so $not and
// $nor keep JavaScript's meaning; values are bound parameters; `now` is a parameter (never SQL's
// now()), in milliseconds like the evaluator's. Windows and "counted" mean what loadAttributes
// (attributes.ts) computes.
import {
  ATTRIBUTES,
  SIGNAL_WINDOWS,
  type AttributePath,
  type Rule,
  type SignalAttributeKind,
  type SignalWindow,
} from '@/lib/personalization/catalogue';

import type { Segments } from './evaluate';

export type SqlFragment = { sql: string; params: unknown[] };

const PREFERENCE_NAMES: Partial<Record<AttributePath, string>> = {
  favouriteStore: 'favouriteStore',
  'sizes.clothing': 'size.clothing',
  'sizes.shoes': 'size.shoes',
  interests: 'interest',
  channels: 'channel',
};
const SIGNAL_KINDS: Record<Exclude<SignalAttributeKind, 'inCart'>, string> = {
  viewed: 'viewed',
  cartAdded: 'cart-added',
  purchased: 'purchased',
};

/**
 * The rule as a boolean SQL expression over a customer `c` (a row of customers), for the customers
 * whose grant is in effect (the caller's part). Parameters are numbered from `paramOffset + 1`.
 * The rule must have passed RuleSchema (normalized); anything else throws.
 */
export function toSql(
  rule: Rule,
  segments: Segments,
  options: { now: Date; retentionStart: Date; paramOffset?: number },
): SqlFragment {
  const params: unknown[] = [];
  const offset = options.paramOffset ?? 0;
  const param = (value: unknown) => `$${offset + params.push(value)}`;
  let nowParam: string | undefined;
  let retentionParam: string | undefined;
  // Only what the rule uses is bound: PostgreSQL refuses a parameter it cannot type.
  const now = () => (nowParam ??= `(${param(options.now.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  const retention = () =>
    (retentionParam ??= `(${param(options.retentionStart.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);

  const text = (value: unknown) => `${param(asString(value))}::text`;
  const texts = (value: unknown) => `${param(asStrings(value))}::text[]`;

  // A signal counts while within the retention and not from an app its customer withdrew.
  const counted = (s: string) =>
    `${s}.occurred_at > ${retention()} AND (${s}.app_id IS NULL OR NOT EXISTS (
      SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = ${s}.customer_id AND w.app_id = ${s}.app_id))`;

  // The customers having a signal of the kind in the window; `where` is a condition on s.category.
  const signal = (kind: SignalAttributeKind, window: SignalWindow, where: string) => {
    const since = `${now()} - interval '${SIGNAL_WINDOWS[window]} days'`;
    if (kind !== 'inCart') {
      return `SELECT s.customer_id FROM customer_signals s WHERE s.kind = '${SIGNAL_KINDS[kind]}'
        AND ${where} AND s.occurred_at > ${since} AND ${counted('s')}`;
    }
    // Still in the cart: the latest addition is in the window and after every removal or purchase
    // (one pass over the category's rows, grouped, rather than a lookup per addition).
    return `SELECT s.customer_id FROM customer_signals s
      WHERE s.kind IN ('cart-added', 'cart-removed', 'purchased') AND ${where} AND ${counted('s')}
      GROUP BY s.customer_id, s.category
      HAVING max(s.occurred_at) FILTER (WHERE s.kind = 'cart-added') > ${since}
        AND max(s.occurred_at) FILTER (WHERE s.kind = 'cart-added')
          > coalesce(max(s.occurred_at) FILTER (WHERE s.kind <> 'cart-added'), '-infinity'::timestamp)`;
  };

  // Scalars (at most one row: a home address, a single-valued preference) and sets alike: whether
  // the customer has a row holding one of the values; `where(column)` is the condition on its value.
  // `c.id IN (uncorrelated subquery)`: planned as one hashed set probed per customer (an audience
  // of 100,000 customers is counted in one pass, not with a lookup per customer and condition);
  // never NULL, as neither c.id nor the subquery's ids are.
  const member = (path: AttributePath, where: (column: string) => string): string => {
    const name = PREFERENCE_NAMES[path];
    let ids: string;
    if (name) {
      ids = `SELECT p.customer_id FROM customer_preferences p WHERE p.name = '${name}' AND ${where('p.value')}`;
    } else if (path === 'country') {
      ids = `SELECT a.customer_id FROM addresses a WHERE a.kind = 'home' AND ${where('a.country::text')}`;
    } else {
      const [, kind, window] = path.split('.') as [string, SignalAttributeKind, SignalWindow];
      ids = signal(kind, window, where('s.category'));
    }
    return `(c.id IN (${ids}))`;
  };

  const leaf = (path: string, operator: string, value: unknown): string => {
    if (!Object.hasOwn(ATTRIBUTES, path)) throw new Error(`rule outside the accepted subset: ${path}`);
    const spec = ATTRIBUTES[path as AttributePath];
    const p = path as AttributePath;
    if (spec.kind === 'number') {
      const days = `floor(extract(epoch FROM (${now()} - c.created_at)) / 86400)::int`;
      const op = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator];
      if (!op || typeof value !== 'number' || !Number.isInteger(value))
        throw new Error(`rule outside the accepted subset: ${path} ${operator}`);
      return `(${days} ${op} ${param(value)}::int)`;
    }
    if (p === 'locale') {
      switch (operator) {
        case '$eq':
          return `(c.locale = ${text(value)})`;
        case '$ne':
          return `(c.locale <> ${text(value)})`;
        case '$in':
          return `(c.locale = ANY(${texts(value)}))`;
        case '$nin':
          return `(NOT (c.locale = ANY(${texts(value)})))`;
        case '$exists':
          return value === true ? 'true' : 'false';
      }
    }
    const one = (v: unknown) => {
      const x = text(v);
      return member(p, (column) => `${column} = ${x}`);
    };
    const any = (v: unknown) => {
      const xs = texts(v);
      return member(p, (column) => `${column} = ANY(${xs})`);
    };
    const exists = () => member(p, () => 'true');
    switch (operator) {
      case '$eq':
        if (spec.kind === 'scalar') return one(value);
        break;
      case '$ne':
        if (spec.kind === 'scalar') return `(NOT ${one(value)})`;
        break;
      case '$in':
        return any(value);
      case '$nin':
        return `(NOT ${any(value)})`;
      case '$all':
        if (spec.kind === 'set')
          return `(${asStrings(value)
            .map((v) => one(v))
            .join(' AND ')})`;
        break;
      case '$exists':
        if (spec.kind === 'scalar') return value === true ? exists() : `(NOT ${exists()})`;
        break;
    }
    throw new Error(`rule outside the accepted subset: ${path} ${operator}`);
  };

  const node = (n: unknown, visited: ReadonlySet<string>): string => {
    if (typeof n !== 'object' || n === null || Array.isArray(n)) throw new Error('rule outside the accepted subset');
    const parts: string[] = [];
    for (const [key, value] of Object.entries(n)) {
      if (key === '$and') parts.push(group(value, visited, ' AND ', 'true'));
      else if (key === '$or') parts.push(group(value, visited, ' OR ', 'true'));
      else if (key === '$nor') parts.push(`(NOT ${group(value, visited, ' OR ', 'true')})`);
      else if (key === '$not') parts.push(`(NOT ${node(value, visited)})`);
      else if (key === '$savedGroup') {
        const id = (value as { id?: unknown } | null)?.id;
        // An unknown segment, or one met again inside itself, matches nobody (GrowthBook's rule).
        const segment = typeof id === 'string' && !visited.has(id) && Object.hasOwn(segments, id) ? segments[id] : null;
        parts.push(segment && typeof id === 'string' ? node(segment, new Set(visited).add(id)) : 'false');
      } else {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new Error(`rule outside the accepted subset: ${key}`);
        }
        for (const [operator, operand] of Object.entries(value)) parts.push(leaf(key, operator, operand));
      }
    }
    return parts.length === 0 ? 'true' : `(${parts.join(' AND ')})`;
  };
  // GrowthBook: an $or of nothing holds (so a $nor of nothing fails); the schema refuses both.
  const group = (value: unknown, visited: ReadonlySet<string>, join: string, ifEmpty: string) => {
    if (!Array.isArray(value)) throw new Error('rule outside the accepted subset');
    return value.length === 0 ? ifEmpty : `(${value.map((v) => node(v, visited)).join(join)})`;
  };

  return { sql: node(rule, new Set()), params };
}

function asString(value: unknown): string {
  if (typeof value !== 'string') throw new Error('rule outside the accepted subset: a value is not a string');
  return value;
}

function asStrings(value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error('rule outside the accepted subset: a list is expected');
  return value.map(asString);
}
