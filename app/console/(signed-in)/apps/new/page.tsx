import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { PageHeader } from '@/components/ui/page-section';
import { SHARED_FIELDS } from '@/server/consent/policy';
import { CONSENT_PURPOSES } from '@/server/consent/purposes';
import { requirePermission } from '@/server/staff/auth';

import { NewAppForm } from './new-app-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.apps.form'))('title') };
}

export default async function NewAppPage() {
  await requirePermission('apps.manage');
  const [t, locale] = await Promise.all([getTranslations('console.apps'), getLocale()]);
  const purposes = CONSENT_PURPOSES.map((p) => ({ key: p.key, title: locale === 'fr' ? p.titleFr : p.titleEn }));
  return (
    <div className="flex max-w-3xl flex-col gap-6">
      <Link href="/console/apps" className="text-brand underline underline-offset-4">
        {t('back')}
      </Link>
      <PageHeader title={t('form.title')} intro={t('form.intro')} />
      <NewAppForm purposes={purposes} fields={[...SHARED_FIELDS]} />
    </div>
  );
}
