import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { SubmitButton } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/page-section';
import { TextField } from '@/components/ui/text-field';
import { isUuid } from '@/lib/uuid';
import { auditStaffAccessView, listStaffAccess } from '@/server/staff/audit-query';
import { requirePermission } from '@/server/staff/auth';

import { findCustomerAccessAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.audit.customerAccess'))('title') };
}

const link = 'font-medium text-brand underline underline-offset-4 hover:no-underline';
/** Message keys cannot hold dots: 'staff.sign-in' is labelled by 'actions.staff_sign-in'. */
const actionKey = (action: string) => `actions.${action.replaceAll('.', '_')}` as 'actions.staff_sign-in';

/** All staff access to one customer: what staff did (audit) and what staff saw (access log). */
export default async function CustomerAccessPage({
  searchParams,
}: {
  searchParams: Promise<{ id?: string | string[]; error?: string }>;
}) {
  const actor = await requirePermission('audit.view');
  const { id, error } = await searchParams;
  const [t, ta, format] = await Promise.all([
    getTranslations('console.audit.customerAccess'),
    getTranslations('console.audit'),
    getFormatter(),
  ]);
  const customerId = typeof id === 'string' && isUuid(id) ? id.toLowerCase() : null;
  if (customerId) await auditStaffAccessView(actor.audit, customerId, 'page');
  const entries = customerId ? await listStaffAccess(customerId) : null;
  const what = (source: string, value: string) =>
    source === 'audit' ? (ta.has(actionKey(value)) ? ta(actionKey(value)) : value) : t('read', { purpose: value });

  return (
    <div className="flex flex-col gap-8">
      <PageHeader title={t('title')} intro={t('intro')} />
      <form action={findCustomerAccessAction} className="flex max-w-xl flex-col gap-4">
        {(error === 'invalid' || error === 'not-found' || (id !== undefined && !customerId)) && (
          <Alert tone="error">{t(error === 'not-found' ? 'notFound' : 'invalid')}</Alert>
        )}
        <TextField
          id="access-email"
          name="email"
          type="email"
          label={t('email')}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <div>
          <SubmitButton pendingLabel={t('searching')}>{t('search')}</SubmitButton>
        </div>
      </form>
      {entries && customerId && (
        <section aria-labelledby="access-rows-title" className="flex flex-col gap-4">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id="access-rows-title" className="text-xl font-semibold">
              {t('caption', { id: customerId })}
            </h2>
            <a href={`/console/audit/customer/export?id=${customerId}`} className={link} download>
              {t('download')}
            </a>
          </div>
          {entries.length === 0 ? (
            <EmptyState>{t('empty')}</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">{t('caption', { id: customerId })}</caption>
                <thead className="bg-slate-50">
                  <tr>
                    {(['time', 'staff', 'what', 'fields', 'reason'] as const).map((c) => (
                      <th key={c} scope="col" className="px-3 py-2 font-semibold whitespace-nowrap">
                        {t(`columns.${c}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={`${e.source}-${e.id}`} className="border-t border-slate-200 align-top">
                      <td className="px-3 py-2 whitespace-nowrap">
                        {format.dateTime(e.occurredAt, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })}
                      </td>
                      <td className="px-3 py-2">{e.actor}</td>
                      <td className="px-3 py-2">{what(e.source, e.what)}</td>
                      <td className="px-3 py-2">{e.fields.join(', ')}</td>
                      <td className="px-3 py-2 break-words">{e.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
