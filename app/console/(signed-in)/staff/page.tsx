import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { EmptyState, PageHeader } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';
import { listStaff } from '@/server/staff/members';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console'))('staff.title') };
}

export default async function StaffListPage() {
  await requirePermission('staff.manage');
  const [t, format, members] = await Promise.all([getTranslations('console'), getFormatter(), listStaff()]);
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <PageHeader title={t('staff.title')} intro={t('staff.intro')} />
        <Link
          href="/console/staff/invite"
          className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand hover:brightness-110"
        >
          {t('staff.invite')}
        </Link>
      </div>
      {members.length === 0 ? (
        <EmptyState>{t('staff.empty')}</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t('staff.title')}</caption>
            <thead className="border-b border-slate-200 text-muted">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">
                  {t('staff.name')}
                </th>
                <th scope="col" className="px-4 py-3 font-medium">
                  {t('staff.email')}
                </th>
                <th scope="col" className="px-4 py-3 font-medium">
                  {t('staff.roles')}
                </th>
                <th scope="col" className="px-4 py-3 font-medium">
                  {t('staff.status')}
                </th>
                <th scope="col" className="px-4 py-3 font-medium">
                  {t('staff.lastSignIn')}
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} className="border-b border-slate-100 last:border-0">
                  <th scope="row" className="px-4 py-3 font-semibold">
                    <Link href={`/console/staff/${m.id}`} className="text-brand underline underline-offset-4">
                      {m.displayName}
                    </Link>
                  </th>
                  <td className="px-4 py-3 break-all">{m.email}</td>
                  <td className="px-4 py-3">{m.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
                  <td className="px-4 py-3">{t(`staff.statuses.${m.status}`)}</td>
                  <td className="px-4 py-3">
                    {m.lastSignInAt
                      ? format.dateTime(m.lastSignInAt, { dateStyle: 'medium', timeStyle: 'short' })
                      : t('staff.never')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
