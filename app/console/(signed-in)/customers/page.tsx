import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { PageHeader, PageSection } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';

import { FindCustomerForm } from './find-customer-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.customers'))('title') };
}

export default async function CustomersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePermission('customers.find');
  const [t, { erased }] = await Promise.all([getTranslations('console.customers'), searchParams]);
  return (
    <div className="flex flex-col gap-8">
      <PageHeader title={t('title')} intro={t('intro')} />
      {erased === '1' && <Alert tone="success">{t('erased')}</Alert>}
      <PageSection id="find" title={t('findTitle')}>
        <FindCustomerForm />
      </PageSection>
    </div>
  );
}
