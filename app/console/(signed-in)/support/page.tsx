import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { PageHeader, PageSection } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';

import { SupportCodeForm, VerificationRequestForm } from './verify-forms';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.support'))('title') };
}

export default async function SupportPage() {
  await requirePermission('support.verify');
  const t = await getTranslations('console.support');
  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />
      <p>
        <Link className="underline" href="/console/support/cases">
          {t('cases.link')}
        </Link>
      </p>
      <PageSection id="support-code" title={t('find.codeTitle')} intro={t('find.codeIntro')}>
        <SupportCodeForm />
      </PageSection>
      <PageSection id="support-request" title={t('find.requestTitle')} intro={t('find.requestIntro')}>
        <VerificationRequestForm />
      </PageSection>
    </div>
  );
}
