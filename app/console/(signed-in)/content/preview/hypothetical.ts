import 'server-only';

import { CHANNELS, SIZE_SYSTEMS, type Attributes } from '@/lib/personalization/catalogue';
import { CATEGORIES, STORES } from '@/server/personalization/reference';

// The preview's hypothetical customer, from the GET form's fields: nobody's data, so the
// attributes may sit in the URL (a marketer can share the link). Unknown values are dropped and
// reported, never evaluated.

type Query = Record<string, string | string[] | undefined>;

export type HypotheticalForm = {
  locale: 'en' | 'fr';
  country: string;
  memberDays: number;
  store: string;
  sizeClothing: string;
  sizeShoes: string;
  interests: string[];
  channels: string[];
  cart: string[];
  viewed: string[];
  purchased: string[];
};

const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

/** The form's values, or the defaults of a new French-speaking member; `dropped` counts what was refused. */
export function parseHypothetical(query: Query): { form: HypotheticalForm; dropped: number } {
  let dropped = 0;
  const keep = (values: string[], allowed: readonly string[]) => {
    dropped += values.filter((v) => !allowed.includes(v)).length;
    return [...new Set(values.filter((v) => allowed.includes(v)))];
  };
  const choose = (value: string, allowed: readonly string[]) => {
    if (value === '' || allowed.includes(value)) return value;
    dropped += 1;
    return '';
  };
  const categories = CATEGORIES.map((c) => c.key);
  const locale = one(query.locale) === 'en' ? 'en' : 'fr';
  const countryRaw = one(query.country).trim().toUpperCase();
  const country = /^[A-Z]{2}$/.test(countryRaw) ? countryRaw : '';
  if (countryRaw && !country) dropped += 1;
  const daysRaw = one(query.memberDays).trim();
  const days = /^\d{1,5}$/.test(daysRaw) ? Number(daysRaw) : 30;
  if (daysRaw && !/^\d{1,5}$/.test(daysRaw)) dropped += 1;
  return {
    form: {
      locale,
      country,
      memberDays: days,
      store: choose(
        one(query.store),
        STORES.map((s) => s.key),
      ),
      sizeClothing: choose(one(query.sizeClothing), SIZE_SYSTEMS.clothing),
      sizeShoes: choose(one(query.sizeShoes), SIZE_SYSTEMS.shoes),
      interests: keep(list(query.interests), categories),
      channels: keep(list(query.channels), CHANNELS),
      cart: keep(list(query.cart), categories),
      viewed: keep(list(query.viewed), categories),
      purchased: keep(list(query.purchased), categories),
    },
    dropped,
  };
}

/**
 * Attributes as the loader would compute them for such a customer: items added to the cart a few
 * days ago (inside 7 days, not today) and still there; views and purchases within 30 days.
 */
export function toAttributes(form: HypotheticalForm): Attributes {
  const w = (d1: string[], d7: string[], d30: string[]) => ({ d1, d7, d30, d90: d30 });
  return {
    locale: form.locale,
    country: form.country || null,
    memberDays: form.memberDays,
    favouriteStore: form.store || null,
    sizes: { clothing: form.sizeClothing || null, shoes: form.sizeShoes || null },
    interests: form.interests,
    channels: form.channels,
    signals: {
      viewed: w([], [], form.viewed),
      cartAdded: w([], form.cart, form.cart),
      inCart: w([], form.cart, form.cart),
      purchased: w([], [], form.purchased),
    },
  };
}
