import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { brand } from '@/lib/brand';
import { requireCustomer } from '@/server/identity/auth';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('metaTitle') };
}

export default async function AccountPage() {
  const customer = await requireCustomer({ returnTo: '/account' });
  const t = await getTranslations('account');
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
