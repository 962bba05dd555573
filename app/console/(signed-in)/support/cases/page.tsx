import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';
import { listAgentCases, shortCaseId, type CaseListItem } from '@/server/support/cases';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.support.cases'))('title') };
}

export default async function MyCasesPage() {
  const actor = await requirePermission('support.verify');
  const [t, format, cases] = await Promise.all([
    getTranslations('console.support.cases'),
    getFormatter(),
    listAgentCases(actor),
  ]);
  const list = (items: CaseListItem[]) => (
    <ul className="flex flex-col gap-2">
      {items.map((item) => (
        <li key={item.id} className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
          <Link className="inline-block min-h-6 underline" href={`/console/support/cases/${item.id}`}>
            {t('item', {
              id: shortCaseId(item.id),
              opened: format.dateTime(item.openedAt, { dateStyle: 'medium', timeStyle: 'short' }),
            })}
          </Link>
          <span className="ml-2 text-muted">{t(`method.${item.method}` as 'method.support-code')}</span>
        </li>
      ))}
    </ul>
  );
  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />
      <p>
        <Link className="underline" href="/console/support">
          {t('new')}
        </Link>
      </p>
      <PageSection id="open-cases" title={t('open')}>
        {cases.open.length ? list(cases.open) : <EmptyState>{t('noneOpen')}</EmptyState>}
      </PageSection>
      <PageSection id="closed-cases" title={t('closed')}>
        {cases.closed.length ? list(cases.closed) : <EmptyState>{t('noneClosed')}</EmptyState>}
      </PageSection>
    </div>
  );
}
