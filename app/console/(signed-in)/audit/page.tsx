import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { Alert } from '@/components/ui/alert';
import { EmptyState, PageHeader } from '@/components/ui/page-section';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { AUDIT_ACTIONS } from '@/server/platform/audit';
import {
  AUDIT_OBJECT_TYPES,
  auditFilterParams,
  listAuditMembers,
  listAuditRows,
  parseAuditQuery,
  type AuditFilters,
  type AuditRow,
} from '@/server/staff/audit-query';
import { requirePermission } from '@/server/staff/auth';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.audit'))('title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function toParams(search: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search))
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  return params;
}

/** A message key of the audit filter ('auditFilter.date') as its key under console.audit.errors. */
const errorKey = (key: string) => `errors.${key.replace(/^auditFilter\./, '')}` as 'errors.date';
/** Message keys cannot hold dots: 'staff.sign-in' is labelled by 'actions.staff_sign-in'. */
const actionKey = (action: string) => `actions.${action.replaceAll('.', '_')}` as 'actions.staff_sign-in';

const link = 'font-medium text-brand underline underline-offset-4 hover:no-underline';

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePermission('audit.view');
  const params = toParams(await searchParams);
  const query = parseAuditQuery(params);
  const [t, format, members] = await Promise.all([
    getTranslations('console.audit'),
    getFormatter(),
    listAuditMembers(),
  ]);
  const page = query.ok ? await listAuditRows(query.filters, query.cursor) : null;
  const value = (key: string) => (params.getAll(key).length === 1 ? (params.get(key) ?? '') : '');
  const error = (key: string) =>
    !query.ok && query.fieldErrors[key] ? t(errorKey(query.fieldErrors[key])) : undefined;
  const actionLabel = (action: string) => (t.has(actionKey(action)) ? t(actionKey(action)) : action);
  const objectLabel = (type: string) =>
    t.has(`objectTypes.${type}`) ? t(`objectTypes.${type}` as 'objectTypes.staff') : type;
  const filters: AuditFilters = query.ok ? query.filters : {};
  const here = (extra: Record<string, string>) => {
    const next = auditFilterParams(filters);
    for (const [k, v] of Object.entries(extra)) next.set(k, v);
    return `/console/audit?${next.toString()}`;
  };
  const time = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
  const cursorError = error('before') ?? error('after');

  return (
    <div className="flex flex-col gap-8">
      <PageHeader title={t('title')} intro={t('intro')} />
      <p>
        <a href="/console/audit/customer" className={link}>
          {t('customerAccess.link')}
        </a>
      </p>

      <form method="get" action="/console/audit" aria-labelledby="audit-filters-title" className="flex flex-col gap-4">
        <h2 id="audit-filters-title" className="text-xl font-semibold">
          {t('filters')}
        </h2>
        {!query.ok && <Alert tone="error">{cursorError ?? t('invalid')}</Alert>}
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <SelectField
            id="audit-member"
            name="member"
            label={t('member')}
            defaultValue={value('member')}
            error={error('member')}
            options={[
              { value: '', label: t('anyMember') },
              { value: 'cli', label: t('cli') },
              ...members.map((m) => ({ value: m.id, label: m.label })),
            ]}
          />
          <SelectField
            id="audit-action"
            name="action"
            label={t('action')}
            defaultValue={value('action')}
            error={error('action')}
            options={[
              { value: '', label: t('anyAction') },
              ...Object.keys(AUDIT_ACTIONS).map((a) => ({ value: a, label: actionLabel(a) })),
            ]}
          />
          <SelectField
            id="audit-object-type"
            name="objectType"
            label={t('objectType')}
            defaultValue={value('objectType')}
            error={error('objectType')}
            options={[
              { value: '', label: t('anyObjectType') },
              ...AUDIT_OBJECT_TYPES.map((o) => ({ value: o, label: objectLabel(o) })),
            ]}
          />
          <TextField
            id="audit-object-id"
            name="objectId"
            label={t('objectId')}
            hint={t('objectIdHint')}
            defaultValue={value('objectId').slice(0, 200)}
            error={error('objectId')}
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            id="audit-from"
            name="from"
            type="date"
            label={t('from')}
            defaultValue={value('from').slice(0, 10)}
            error={error('from')}
          />
          <TextField
            id="audit-to"
            name="to"
            type="date"
            label={t('to')}
            defaultValue={value('to').slice(0, 10)}
            error={error('to')}
          />
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <button
            type="submit"
            className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand hover:brightness-110"
          >
            {t('apply')}
          </button>
          <a href="/console/audit" className={link}>
            {t('clear')}
          </a>
        </div>
      </form>

      {page && (
        <section aria-labelledby="audit-rows-title" className="flex flex-col gap-4">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id="audit-rows-title" className="text-xl font-semibold">
              {t('caption')}
            </h2>
            {page.rows.length > 0 && (
              <a href={`/console/audit/export?${auditFilterParams(filters).toString()}`} className={link} download>
                {t('download')}
              </a>
            )}
          </div>
          {params.get('csv') === 'too-large' ? (
            <Alert tone="error">{t('tooLarge')}</Alert>
          ) : (
            page.rows.length > 0 && <p className="-mt-2 text-sm text-muted">{t('downloadHint')}</p>
          )}
          {page.rows.length === 0 ? (
            <EmptyState>{t('empty')}</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">{t('caption')}</caption>
                <thead className="bg-slate-50">
                  <tr>
                    {(['time', 'member', 'action', 'object', 'customer', 'reason', 'request', 'details'] as const).map(
                      (c) => (
                        <th key={c} scope="col" className="px-3 py-2 font-semibold whitespace-nowrap">
                          {t(`columns.${c}`)}
                        </th>
                      ),
                    )}
                  </tr>
                </thead>
                <tbody>
                  {page.rows.map((row) => (
                    <AuditTableRow
                      key={row.id}
                      row={row}
                      time={time(row.occurredAt)}
                      action={actionLabel(row.action)}
                      object={row.object ? `${objectLabel(row.object.type)} ${row.object.id}` : ''}
                      customer={
                        row.customer === null
                          ? ''
                          : row.customer.erased
                            ? t('erasedCustomer', { pseudonym: row.customer.pseudonym })
                            : row.customer.id
                      }
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {(page.newer || page.older) && (
            <nav aria-label={t('pagination')} className="flex flex-wrap gap-6">
              {page.newer && (
                <a href={here({ after: page.newer })} className={link}>
                  ← {t('newer')}
                </a>
              )}
              {page.older && (
                <a href={here({ before: page.older })} className={link}>
                  {t('older')} →
                </a>
              )}
            </nav>
          )}
        </section>
      )}
    </div>
  );
}

function AuditTableRow(props: { row: AuditRow; time: string; action: string; object: string; customer: string }) {
  const { row } = props;
  const details = Object.entries(row.details).map(
    ([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return (
    <tr className="border-t border-slate-200 align-top">
      <td className="px-3 py-2 whitespace-nowrap">
        <time dateTime={row.occurredAt.toISOString()}>{props.time}</time>
      </td>
      <td className="px-3 py-2 break-all">{row.actor.label}</td>
      <td className="px-3 py-2">{props.action}</td>
      <td className="px-3 py-2 break-all">{props.object}</td>
      <td className="px-3 py-2 break-all">{props.customer}</td>
      <td className="px-3 py-2 break-words">{row.reason}</td>
      <td className="px-3 py-2 font-mono text-xs break-all">{row.requestId}</td>
      <td className="px-3 py-2 text-xs break-words text-muted">
        {details.length > 0 && (
          <ul>
            {details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
