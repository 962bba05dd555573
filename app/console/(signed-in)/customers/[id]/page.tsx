import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { headers } from 'next/headers';
import Link from 'next/link';

import { PageHeader, PageSection } from '@/components/ui/page-section';
import { requirePermission, staffCan } from '@/server/staff/auth';
import { viewCustomer } from '@/server/staff/data-requests';

import { EraseCustomerForm } from './erase-customer-form';
import { ExportCustomerForm } from './export-customer-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.customers'))('summary.title') };
}

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';

/**
 * The masked summary. Rendering it is the view: audited and logged for the
 * customer in the read's transaction (server/staff/data-requests.ts), hence
 * the console's SameSite=Strict cookie and no prefetching links to it.
 */
export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePermission('customer.view-masked');
  const [{ id }, requestHeaders, t, format] = await Promise.all([
    params,
    headers(),
    getTranslations('console.customers'),
    getFormatter(),
  ]);
  // Next.js renders the page again in its answer to an action posted from it (a language
  // switch, a refused action replayed): no view the member asked for, so nothing is read
  // or recorded; a link opens the customer again, as a view.
  if (requestHeaders.has('next-action')) {
    return (
      <div className="flex max-w-xl flex-col gap-4">
        <PageHeader title={t('summary.title')} intro={t('reopen.body')} />
        <a
          href={`/console/customers/${encodeURIComponent(id)}`}
          className="font-medium text-brand underline underline-offset-4"
        >
          {t('reopen.link')}
        </a>
      </div>
    );
  }
  const view = await viewCustomer(actor, id);
  if (!view.ok) {
    return (
      <div className="flex max-w-xl flex-col gap-4">
        <PageHeader title={t('findFirst.title')} intro={t('findFirst.body')} />
        <Link href="/console/customers" className="font-medium text-brand underline underline-offset-4">
          {t('findFirst.link')}
        </Link>
      </div>
    );
  }
  const { customer } = view;
  const facts: Array<[string, string]> = [
    [t('summary.id'), customer.id],
    [t('summary.email'), customer.email],
    [t('summary.phone'), customer.phone ?? t('summary.noPhone')],
    [t('summary.addresses'), format.number(customer.addresses)],
    [t('summary.consents'), format.number(customer.consentsGranted)],
    [t('summary.createdAt'), format.dateTime(customer.createdAt, { dateStyle: 'long' })],
  ];
  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('summary.title')} intro={t('summary.intro')} />
      <dl className={`${card} grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]`}>
        {facts.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="font-medium">{label}</dt>
            <dd className="break-all text-muted">{value}</dd>
          </div>
        ))}
      </dl>
      {staffCan(actor, 'customer.export') && (
        <PageSection id="export" title={t('export.title')} intro={t('export.intro')}>
          <ExportCustomerForm customerId={customer.id} />
        </PageSection>
      )}
      {staffCan(actor, 'customer.erase') && (
        <PageSection id="erase" title={t('erase.title')} intro={t('erase.intro')}>
          <EraseCustomerForm customerId={customer.id} />
        </PageSection>
      )}
    </div>
  );
}
