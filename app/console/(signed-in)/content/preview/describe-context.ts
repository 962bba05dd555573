import 'server-only';

import { getLocale } from 'next-intl/server';

import type { DescribeContext } from '@/lib/personalization/describe';
import { listContent } from '@/server/personalization/content';
import { getDescribeContext } from '@/server/personalization/describe-context';

/** Rules and conditions in the member's language (or the one given), segments by their names. */
export async function getConsoleDescribeContext(locale?: 'en' | 'fr'): Promise<DescribeContext> {
  const [current, segments] = await Promise.all([getLocale(), listContent('segment')]);
  const names = Object.fromEntries(
    segments.map((s) => {
      const body = s.latest.body as { name?: unknown };
      return [s.key, typeof body.name === 'string' ? body.name : s.key];
    }),
  );
  return getDescribeContext(locale ?? (current === 'fr' ? 'fr' : 'en'), names);
}
