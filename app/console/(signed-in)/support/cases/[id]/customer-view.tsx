import { getFormatter, getLocale, getTranslations } from 'next-intl/server';

import { EmptyState, PageSection } from '@/components/ui/page-section';
import { REVEAL_FIELDS, type RevealField } from '@/lib/validation/support';
import { staffCan, type StaffActor } from '@/server/staff/auth';
import type { SupportCase } from '@/server/support/cases';
import { getCaseCustomerView } from '@/server/support/customer-view';

import { RevealForm } from './reveal-form';

const card = 'rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200';
const EVENT_TYPES = [
  'passkey.added',
  'passkey.deleted',
  'passkey.cloned',
  'sign_in.new_device',
  'identity.linked',
  'identity.unlinked',
  'sessions.revoked_all',
  'email.reverted',
  'email.revert_closed',
];

/**
 * The customer as the agent sees them in a case: masked on the server, a value
 * unmasked only while this agent's reveal of it is valid. Rendering it is a view
 * of the customer's data, logged for them (server/support/customer-view.ts).
 */
export async function CustomerView({ actor, supportCase }: { actor: StaffActor; supportCase: SupportCase }) {
  const locale = (await getLocale()) === 'fr' ? 'fr' : 'en';
  const [view, t, format] = await Promise.all([
    getCaseCustomerView(actor, supportCase, locale),
    getTranslations('console.support.view'),
    getFormatter(),
  ]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  const time = (d: Date) => format.dateTime(d, { timeStyle: 'short' });
  const fieldLabel = (f: string) => (t.has(`fields.${f}`) ? t(`fields.${f}` as 'fields.email') : f);
  const reasonLabel = (r: string) => (t.has(`reasons.${r}`) ? t(`reasons.${r}` as 'reasons.account-access') : r);

  const revealHistory = (reveals: Extract<typeof view, { reveals: unknown }>['reveals']) => (
    <PageSection id="reveals" title={t('revealsTitle')}>
      {reveals.length === 0 ? (
        <EmptyState>{t('revealsEmpty')}</EmptyState>
      ) : (
        <ul className="flex flex-col gap-2">
          {reveals.map((r) => (
            <li
              key={`${r.revealedAt.toISOString()}-${r.field}`}
              className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200"
            >
              <span className="font-medium">
                {t('revealEntry', { field: fieldLabel(r.field), agent: r.agentName, reason: reasonLabel(r.reason) })}
              </span>
              <span className="text-muted">
                {' · '}
                {t('revealMeta', { ticket: r.ticketRef, date: date(r.revealedAt), until: time(r.expiresAt) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </PageSection>
  );

  if (view.state === 'gone') return <EmptyState>{t('gone')}</EmptyState>;
  if (view.state === 'read-only')
    return (
      <div className="flex flex-col gap-6">
        <p className="max-w-prose text-muted">{t('readOnly')}</p>
        {revealHistory(view.reveals)}
      </div>
    );

  const { customer, revealed } = view;
  const shown = (field: RevealField, masked: string) => {
    const value = revealed.find((r) => r.field === field);
    return value ? (
      <>
        <span className="font-mono text-slate-900">{value.value}</span>{' '}
        <span className="text-sm">({t('revealedUntil', { time: time(value.expiresAt) })})</span>
      </>
    ) : (
      masked
    );
  };
  const present = REVEAL_FIELDS.filter((f) =>
    f === 'email' ? true : f === 'phone' ? customer.phone !== null : customer.addresses.some((a) => a.kind === f),
  );
  const facts: Array<[string, React.ReactNode]> = [
    [t('name'), customer.name ?? t('noName')],
    [t('fields.email'), shown('email', customer.email)],
    [t('fields.phone'), customer.phone ? shown('phone', customer.phone) : t('noPhone')],
    ...customer.addresses.map((a): [string, React.ReactNode] => [
      t(`fields.${a.kind}` as 'fields.email'),
      shown(a.kind, t('cityCountry', { city: a.city, country: a.country })),
    ]),
    [t('customerSince'), format.dateTime(customer.createdAt, { dateStyle: 'long' })],
  ];

  return (
    <div className="flex flex-col gap-10">
      <PageSection id="customer" title={t('title')} intro={t('intro')}>
        <dl className={`${card} grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]`}>
          {facts.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium">{label}</dt>
              <dd className="break-all text-muted">{value}</dd>
            </div>
          ))}
        </dl>
      </PageSection>

      {staffCan(actor, 'customer.reveal') && (
        <PageSection id="reveal" title={t('revealTitle')} intro={t('revealIntro')}>
          <RevealForm caseId={supportCase.id} fields={present} />
        </PageSection>
      )}

      <PageSection id="consents" title={t('consentsTitle')}>
        {view.consents.length === 0 ? (
          <EmptyState>{t('consentsEmpty')}</EmptyState>
        ) : (
          <ul className="flex list-disc flex-col gap-1 pl-6">
            {view.consents.map((c) => (
              <li key={c.key}>{c.title ?? c.key}</li>
            ))}
          </ul>
        )}
      </PageSection>

      <PageSection id="sessions" title={t('sessionsTitle')}>
        {view.sessions.length === 0 ? (
          <EmptyState>{t('sessionsEmpty')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-2">
            {view.sessions.map((s) => (
              <li key={s.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200">
                <span className="font-medium">{s.device}</span>
                <span className="text-muted"> · {t('lastActive', { date: date(s.lastActiveAt) })}</span>
              </li>
            ))}
          </ul>
        )}
      </PageSection>

      <PageSection id="activity" title={t('activityTitle')}>
        {view.securityEvents.length === 0 ? (
          <EmptyState>{t('activityEmpty')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-2">
            {view.securityEvents.map((e) => (
              <li key={e.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200">
                <span className="font-medium">
                  {t(`events.${EVENT_TYPES.includes(e.type) ? e.type.replace('.', '_') : 'other'}` as 'events.other')}
                </span>
                <span className="text-muted"> · {date(e.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </PageSection>

      <PageSection id="cases" title={t('casesTitle')}>
        <ul className="flex flex-col gap-2">
          {view.cases.map((c) => (
            <li key={c.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200">
              <span className="font-medium">
                {t(c.closedAt ? 'caseClosed' : 'caseOpen', {
                  ref: c.id.slice(0, 8),
                  agent: c.agentName,
                  opened: date(c.openedAt),
                  closed: c.closedAt ? date(c.closedAt) : '',
                })}
              </span>
              {c.current && <span className="text-muted"> · {t('thisCase')}</span>}
            </li>
          ))}
        </ul>
      </PageSection>

      {revealHistory(view.reveals)}
    </div>
  );
}
