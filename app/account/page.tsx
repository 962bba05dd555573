import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import { headers } from 'next/headers';
import Link from 'next/link';

import { HomeSlots } from '@/components/personalization/home-slots';
import { brand } from '@/lib/brand';
import { requireCustomer } from '@/server/identity/auth';
import { decide } from '@/server/personalization/decide';
import { getDescribeContext } from '@/server/personalization/describe-context';
import { countImpressions } from '@/server/personalization/stats';
import { errorMessage, getLogger } from '@/server/platform/log';

import { RecoveryBanner } from './recovery-banner';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('metaTitle') };
}

/** The home page's content; without it (an error, logged) the page still shows the rest. */
async function homeContent(customerId: string, locale: 'en' | 'fr') {
  try {
    const [decision, describe, requestHeaders] = await Promise.all([
      decide({ customerId, locale, via: { kind: 'portal' } }),
      getDescribeContext(locale),
      headers(),
    ]);
    // A prefetch is not a view.
    if (requestHeaders.get('next-router-prefetch') === null) countImpressions(decision, 'portal');
    return { decision, describe };
  } catch (error) {
    getLogger().error({ component: 'personalization' }, `home page content not decided: ${errorMessage(error)}`);
    return null;
  }
}

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ recovery?: string }> }) {
  const { recovery } = await searchParams;
  const customer = await requireCustomer({ returnTo: '/account' });
  const locale = (await getLocale()) === 'fr' ? 'fr' : 'en';
  const [t, home] = await Promise.all([getTranslations('account'), homeContent(customer.id, locale)]);
  const sections = (['profile', 'security', 'privacy'] as const).map((key) => ({
    key,
    href: `/account/${key}`,
    title: t(`${key}.title`),
    description: t(`${key}.description`),
  }));
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">{t('greeting', { firstName: customer.firstName ?? '' })}</h1>
      <p className="mt-2 text-muted">{t('intro', { brand: brand.name })}</p>
      <p className="mt-1 text-sm text-muted">{t('signedInAs', { email: customer.email })}</p>
      <RecoveryBanner customerId={customer.id} outcome={recovery} />
      {home && <HomeSlots decision={home.decision} describe={home.describe} />}
      <ul className="mt-8 grid gap-4 sm:grid-cols-3">
        {sections.map((s) => (
          <li key={s.key}>
            <Link
              href={s.href}
              className="block h-full rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 transition hover:ring-brand"
            >
              <h2 className="text-lg font-semibold">{s.title}</h2>
              <p className="mt-1 text-sm text-muted">{s.description}</p>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
