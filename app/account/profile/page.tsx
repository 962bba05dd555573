import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { requireCustomer } from '@/server/auth';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('profile.title') };
}

// Filled by its own issue; until then it says so.
export default async function Page() {
  await requireCustomer({ returnTo: '/account/profile' });
  const t = await getTranslations('account');
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">{t('profile.title')}</h1>
      <p className="mt-2 text-muted">{t('profile.description')}</p>
      <p className="mt-6 rounded-lg bg-white p-5 ring-1 ring-slate-200">{t('comingSoon')}</p>
    </>
  );
}
