import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader } from '@/components/ui/page-section';
import { listApps } from '@/server/apps/registry';
import { getWebhookHealth } from '@/server/apps/webhooks';
import { requirePermission } from '@/server/staff/auth';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.apps'))('title') };
}

export default async function AppsPage() {
  await requirePermission('apps.manage');
  const [t, format, apps, health] = await Promise.all([
    getTranslations('console.apps'),
    getFormatter(),
    listApps(),
    getWebhookHealth(),
  ]);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <PageHeader title={t('title')} intro={t('intro')} />
        <Link
          href="/console/apps/new"
          className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand hover:brightness-110"
        >
          {t('new')}
        </Link>
      </div>
      {apps.length === 0 ? (
        <EmptyState>{t('empty')}</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t('title')}</caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th scope="col" className="px-4 py-3">
                  {t('columns.name')}
                </th>
                <th scope="col" className="px-4 py-3">
                  {t('columns.clientId')}
                </th>
                <th scope="col" className="px-4 py-3">
                  {t('columns.scopes')}
                </th>
                <th scope="col" className="px-4 py-3">
                  {t('columns.status')}
                </th>
                <th scope="col" className="px-4 py-3">
                  {t('columns.webhook')}
                </th>
              </tr>
            </thead>
            <tbody>
              {apps.map((app) => {
                const h = health.get(app.id);
                return (
                  <tr key={app.id} className="border-b border-slate-100 last:border-0">
                    <th scope="row" className="px-4 py-3 font-medium">
                      <Link href={`/console/apps/${app.clientId}`} className="text-brand underline underline-offset-4">
                        {app.name}
                      </Link>
                    </th>
                    <td className="px-4 py-3 font-mono">{app.clientId}</td>
                    <td className="px-4 py-3">{app.scopes.join(', ')}</td>
                    <td className="px-4 py-3">{app.disabledAt ? t('status.disabled') : t('status.active')}</td>
                    <td className="px-4 py-3">
                      {!app.webhookUrl
                        ? t('health.none')
                        : [
                            h?.lastDeliveredAt
                              ? t('health.last', {
                                  date: format.dateTime(h.lastDeliveredAt, { dateStyle: 'medium', timeStyle: 'short' }),
                                })
                              : t('health.never'),
                            t('health.failures', { dead: h?.dead ?? 0, retrying: h?.retrying ?? 0 }),
                          ].join(' · ')}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
