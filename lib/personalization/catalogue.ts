// What personalization works with, fixed by the release (docs/decisions/035-personalization.md §1):
// the page, the API's validation and the SQL translator depend on these, so a change is reviewed
// code, not console data. Categories and stores are reference data in the database
// (server/personalization/reference.ts), because the apps' SQL views join them.

/** The home page's slots and how many blocks each shows. */
export const SLOTS = {
  hero: { size: 1 },
  'you-might-like': { size: 3 },
  'cross-sell': { size: 1 },
  notice: { size: 1 },
} as const;
export type Slot = keyof typeof SLOTS;
export const SLOT_KEYS = Object.keys(SLOTS) as Slot[];

export const SIZE_SYSTEMS = {
  clothing: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  shoes: Array.from({ length: 14 }, (_, i) => String(35 + i)),
} as const;
export type SizeSystem = keyof typeof SIZE_SYSTEMS;

export const CHANNELS = ['email', 'sms', 'push', 'post'] as const;
export type Channel = (typeof CHANNELS)[number];

/** customer_preferences.name: interest and channel hold several values, the others one. */
export const PREFERENCE_NAMES = ['interest', 'favouriteStore', 'channel', 'size.clothing', 'size.shoes'] as const;
export type PreferenceName = (typeof PREFERENCE_NAMES)[number];
export const SINGLE_VALUED: readonly PreferenceName[] = ['favouriteStore', 'size.clothing', 'size.shoes'];

/** customer_signals.kind, and the API's event types for them. */
export const SIGNAL_KINDS = ['viewed', 'cart-added', 'cart-removed', 'purchased'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export const SIGNAL_TYPES = {
  'category.viewed': 'viewed',
  'cart.item_added': 'cart-added',
  'cart.item_removed': 'cart-removed',
  'order.purchased': 'purchased',
} as const satisfies Record<string, SignalKind>;
export type SignalType = keyof typeof SIGNAL_TYPES;

/** Rolling windows of the signal attributes, in days. */
export const SIGNAL_WINDOWS = { d1: 1, d7: 7, d30: 30, d90: 90 } as const;
export type SignalWindow = keyof typeof SIGNAL_WINDOWS;
/** The attribute names of signal kinds; inCart: added in the window and not removed or bought since. */
export const SIGNAL_ATTRIBUTE_KINDS = ['viewed', 'cartAdded', 'purchased', 'inCart'] as const;
export type SignalAttributeKind = (typeof SIGNAL_ATTRIBUTE_KINDS)[number];

/**
 * The documented attribute set rules may use (docs/personalization.md). Names, email, phone and
 * street addresses are never attributes.
 * - `scalar`: a string or null; `$eq $ne $in $nin $exists`
 * - `number`: an integer; `$gt $gte $lt $lte`
 * - `set`: a list of keys, never null; `$in` (any) `$nin` (none) `$all`
 */
export type AttributeKind = 'scalar' | 'number' | 'set';
export type AttributeValues =
  'locale' | 'country' | 'store' | 'size.clothing' | 'size.shoes' | 'category' | 'channel' | 'days';
export type AttributeSpec = {
  kind: AttributeKind;
  values: AttributeValues;
  group: 'profile' | 'preferences' | 'signals';
};

export const OPERATORS: Record<AttributeKind, readonly string[]> = {
  scalar: ['$eq', '$ne', '$in', '$nin', '$exists'],
  number: ['$gt', '$gte', '$lt', '$lte'],
  set: ['$in', '$nin', '$all'],
};

const signalAttributes = Object.fromEntries(
  SIGNAL_ATTRIBUTE_KINDS.flatMap((kind) =>
    Object.keys(SIGNAL_WINDOWS).map((w) => [
      `signals.${kind}.${w}`,
      { kind: 'set', values: 'category', group: 'signals' } satisfies AttributeSpec,
    ]),
  ),
) as Record<`signals.${SignalAttributeKind}.${SignalWindow}`, AttributeSpec>;

export const ATTRIBUTES = {
  locale: { kind: 'scalar', values: 'locale', group: 'profile' },
  country: { kind: 'scalar', values: 'country', group: 'profile' },
  memberDays: { kind: 'number', values: 'days', group: 'profile' },
  favouriteStore: { kind: 'scalar', values: 'store', group: 'preferences' },
  'sizes.clothing': { kind: 'scalar', values: 'size.clothing', group: 'preferences' },
  'sizes.shoes': { kind: 'scalar', values: 'size.shoes', group: 'preferences' },
  interests: { kind: 'set', values: 'category', group: 'preferences' },
  channels: { kind: 'set', values: 'channel', group: 'preferences' },
  ...signalAttributes,
} satisfies Record<string, AttributeSpec>;
export type AttributePath = keyof typeof ATTRIBUTES;

/**
 * One customer's attributes as rules see them (GrowthBook evaluates dotted paths
 * in nested objects: `signals.cartAdded.d7` is attributes.signals.cartAdded.d7).
 */
export type Attributes = {
  locale: string;
  country: string | null;
  memberDays: number;
  favouriteStore: string | null;
  sizes: { clothing: string | null; shoes: string | null };
  interests: string[];
  channels: string[];
  signals: Record<SignalAttributeKind, Record<SignalWindow, string[]>>;
};

/** A rule in GrowthBook's condition format, within lib/personalization/rule-schema.ts's subset. */
export type Rule = Record<string, unknown>;

/** One condition of a rule: an attribute path, an operator and its value (JSON pointer into the rule). */
export type Leaf = { pointer: string; path: string; operator: string; value: unknown };
