import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { PageHeader } from '@/components/ui/page-section';
import { isLocale } from '@/lib/i18n/config';
import { requirePermission } from '@/server/staff/auth';

import { InviteStaffForm } from './invite-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('staff.inviteTitle') };
}

export default async function InviteStaffPage() {
  await requirePermission('staff.manage');
  const [t, locale] = await Promise.all([getTranslations('console'), getLocale()]);
  return (
    <div className="flex max-w-2xl flex-col gap-8">
      <Link href="/console/staff" className="text-sm text-brand underline underline-offset-4">
        {t('staff.back')}
      </Link>
      <PageHeader title={t('staff.inviteTitle')} intro={t('staff.inviteIntro')} />
      <InviteStaffForm locale={isLocale(locale) ? locale : 'en'} />
    </div>
  );
}
