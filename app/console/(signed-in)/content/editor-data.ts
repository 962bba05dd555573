import 'server-only';

import { getTranslations } from 'next-intl/server';

import type { SegmentOption, ValueOptions } from '@/components/console/rule-builder';
import { locales } from '@/lib/i18n/config';
import { CHANNELS, SIZE_SYSTEMS } from '@/lib/personalization/catalogue';
import { ruleLeaves } from '@/lib/personalization/rule-schema';
import { ADDRESS_COUNTRIES } from '@/lib/validation/address';
import { SegmentBodySchema } from '@/lib/validation/content';
import { listContent } from '@/server/personalization/content';
import { CATEGORIES, STORES } from '@/server/personalization/reference';

// What the block and segment editors' rule builder picks values from: the release's reference
// data (docs/decisions/035-personalization.md §1), labelled in the member's language.

export async function builderValues(locale: string): Promise<ValueOptions> {
  const t = await getTranslations('console.content.builder');
  const language = new Intl.DisplayNames([locale], { type: 'language' });
  const region = new Intl.DisplayNames([locale], { type: 'region' });
  const plain = (values: readonly string[]) => values.map((value) => ({ value, label: value }));
  return {
    locale: locales.map((value) => ({ value, label: language.of(value) ?? value })),
    country: ADDRESS_COUNTRIES.map((value) => ({ value, label: region.of(value) ?? value })),
    store: STORES.map((s) => ({ value: s.key, label: `${s.name} (${s.city})` })),
    'size.clothing': plain(SIZE_SYSTEMS.clothing),
    'size.shoes': plain(SIZE_SYSTEMS.shoes),
    category: CATEGORIES.map((c) => ({ value: c.key, label: locale === 'fr' ? c.fr : c.en })),
    channel: CHANNELS.map((value) => ({ value, label: t(`channels.${value}`) })),
  };
}

/** Saved segments by their latest revision's name, and how many conditions each adds to a rule. */
export async function segmentOptions(): Promise<SegmentOption[]> {
  const segments = await listContent('segment');
  return segments.flatMap((s) => {
    const body = SegmentBodySchema.safeParse(s.latest.body);
    return body.success ? [{ key: s.key, name: body.data.name, conditions: ruleLeaves(body.data.rule).length }] : [];
  });
}

/** The segment keys a rule refers to ($savedGroup), for "used by". */
export function segmentsReferenced(rule: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$savedGroup' && typeof value === 'object' && value !== null && 'id' in value)
        found.add(String(value.id));
      else walk(value);
    }
  };
  walk(rule);
  return found;
}
