import 'server-only';

import { createTranslator } from 'use-intl/core';

import type { Locale } from '@/lib/i18n/config';
import { countryNames, type DescribeContext } from '@/lib/personalization/describe';

import { CATEGORIES, STORES } from './reference';

// The labels describeRule/describeLeaf need, in one language: sentences from the catalogues,
// categories and stores from the reference data of this release.

export async function getDescribeContext(
  locale: Locale,
  segmentNames: Record<string, string> = {},
): Promise<DescribeContext> {
  const messages = (await import(`../../messages/${locale}.json`)).default;
  const t = createTranslator({ locale, messages, namespace: 'personalization.describe' }) as unknown as (
    key: string,
    values?: Record<string, string | number>,
  ) => string;
  return {
    t: (key, values) => t(key, values),
    categoryLabel: (key) => CATEGORIES.find((c) => c.key === key)?.[locale] ?? key,
    storeLabel: (key) => STORES.find((s) => s.key === key)?.name ?? key,
    segmentName: (key) => segmentNames[key] ?? key,
    countryLabel: countryNames(locale),
  };
}
