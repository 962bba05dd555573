import 'server-only';

import { getLocale, getTranslations } from 'next-intl/server';

import { countryNames, type DescribeContext } from '@/lib/personalization/describe';
import { listContent } from '@/server/personalization/content';
import { CATEGORIES, STORES } from '@/server/personalization/reference';

/** Rules and conditions in the member's language, with reference data's labels and segments' names. */
export async function getDescribeContext(): Promise<DescribeContext> {
  const [t, locale, segments] = await Promise.all([
    getTranslations('personalization.describe'),
    getLocale(),
    listContent('segment'),
  ]);
  const names = new Map(
    segments.map((s) => {
      const body = s.latest.body as { name?: unknown };
      return [s.key, typeof body.name === 'string' ? body.name : s.key];
    }),
  );
  const lang = locale === 'fr' ? 'fr' : 'en';
  return {
    t: (key, values) => t(key as never, values as never),
    categoryLabel: (key) => CATEGORIES.find((c) => c.key === key)?.[lang] ?? key,
    storeLabel: (key) => STORES.find((s) => s.key === key)?.name ?? key,
    segmentName: (key) => names.get(key) ?? key,
    countryLabel: countryNames(lang),
  };
}
