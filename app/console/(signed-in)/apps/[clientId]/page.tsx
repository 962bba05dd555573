import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { findApp, isClientIdShape } from '@/server/apps/registry';
import { listDeliveries } from '@/server/apps/webhooks';
import { requirePermission } from '@/server/staff/auth';

import { AppControls } from './app-controls';
import { RedriveButton } from './redrive-button';
import { SignInSettingsForm } from './sign-in-settings-form';

type Props = { params: Promise<{ clientId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { clientId } = await params;
  return { title: (await getTranslations('console.apps.detail'))('title', { clientId: clientId.slice(0, 40) }) };
}

export default async function AppPage({ params }: Props) {
  await requirePermission('apps.manage');
  const { clientId } = await params;
  // A name is not an address here: the console's links carry client ids only.
  const app = isClientIdShape(clientId) ? await findApp(clientId) : null;
  if (!app) notFound();
  const [t, format, deliveries] = await Promise.all([
    getTranslations('console.apps'),
    getFormatter(),
    listDeliveries(app.clientId, { limit: 50 }),
  ]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  const fields = Object.entries(app.fieldPurposes)
    .map(([field, purposes]) => `${field} (${purposes.join(', ')})`)
    .join(', ');
  const facts: Array<[string, string]> = [
    [t('columns.clientId'), app.clientId],
    [t('columns.status'), app.disabledAt ? t('status.disabled') : t('status.active')],
    [t('columns.scopes'), app.scopes.join(', ')],
    [t('detail.purposes'), app.purposes.join(', ')],
    [t('detail.fields'), fields],
    [t('columns.webhook'), app.webhookUrl ?? t('health.none')],
    [t('detail.dbRole'), app.dbRole ?? t('detail.noDbRole')],
    [t('detail.rateLimit'), t('detail.perMinute', { count: app.rateLimitPerMinute })],
    [t('detail.created'), date(app.createdAt)],
    ...((app.redirectUris.length === 0
      ? [[t('detail.signIn'), t('detail.signInNone')]]
      : [
          [
            t('detail.signIn'),
            t('detail.signInClient', {
              type: t(`form.signIn.clientTypes.${app.clientType}`),
              scopes: app.oidcScopes.join(' '),
            }),
          ],
          [t('detail.redirectUris'), app.redirectUris.join(' ')],
          [t('detail.postLogoutRedirectUris'), app.postLogoutRedirectUris.join(' ') || t('detail.none')],
          [
            t('detail.claims'),
            t('detail.claimsList', {
              required: app.requiredClaims.join(', ') || t('detail.none'),
              optional: app.optionalClaims.join(', ') || t('detail.none'),
            }),
          ],
          [t('detail.backchannelLogoutUri'), app.backchannelLogoutUri ?? t('detail.none')],
        ]) as Array<[string, string]>),
  ];
  return (
    <div className="flex flex-col gap-8">
      <Link href="/console/apps" className="text-brand underline underline-offset-4">
        {t('back')}
      </Link>
      <PageHeader title={app.name} intro={app.description || undefined} />
      <dl className="grid gap-x-6 gap-y-3 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:grid-cols-[auto_1fr]">
        {facts.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="font-medium">{term}</dt>
            <dd className="break-all text-muted">{value}</dd>
          </div>
        ))}
      </dl>
      <PageSection id="manage" title={t('detail.manage')}>
        <AppControls
          clientId={app.clientId}
          disabled={app.disabledAt !== null}
          hasWebhook={app.webhookUrl !== null}
          dbRole={app.dbRole}
        />
      </PageSection>
      <PageSection id="sign-in" title={t('detail.signInForm')}>
        <SignInSettingsForm
          values={{
            clientId: app.clientId,
            redirectUris: app.redirectUris.join('\n'),
            postLogoutRedirectUris: app.postLogoutRedirectUris.join('\n'),
            clientType: app.clientType,
            oidcScopes: app.oidcScopes,
            requiredClaims: app.requiredClaims,
            optionalClaims: app.optionalClaims,
            backchannelLogoutUri: app.backchannelLogoutUri ?? undefined,
          }}
        />
      </PageSection>
      <PageSection id="deliveries" title={t('deliveries.title')} intro={t('deliveries.intro')}>
        {!deliveries || deliveries.length === 0 ? (
          <EmptyState>{t('deliveries.empty')}</EmptyState>
        ) : (
          <>
            {deliveries.some((d) => d.status === 'dead') && (
              <div>
                <RedriveButton clientId={app.clientId} label={t('deliveries.redriveDead')} />
              </div>
            )}
            <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">{t('deliveries.title')}</caption>
                <thead className="border-b border-slate-200 bg-slate-50">
                  <tr>
                    <th scope="col" className="px-4 py-3">
                      {t('deliveries.id')}
                    </th>
                    <th scope="col" className="px-4 py-3">
                      {t('deliveries.type')}
                    </th>
                    <th scope="col" className="px-4 py-3">
                      {t('columns.status')}
                    </th>
                    <th scope="col" className="px-4 py-3">
                      {t('deliveries.attempts')}
                    </th>
                    <th scope="col" className="px-4 py-3">
                      {t('deliveries.outcome')}
                    </th>
                    <th scope="col" className="px-4 py-3">
                      <span className="sr-only">{t('deliveries.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id} className="border-b border-slate-100 last:border-0">
                      <th scope="row" className="px-4 py-3 font-mono font-normal">
                        #{d.id}
                      </th>
                      <td className="px-4 py-3">{d.type}</td>
                      <td className="px-4 py-3">{t(`deliveries.status.${d.status as 'dead'}`)}</td>
                      <td className="px-4 py-3">{d.attempts}</td>
                      <td className="px-4 py-3">
                        {d.deliveredAt
                          ? t('deliveries.deliveredAt', { date: date(d.deliveredAt) })
                          : [d.lastStatus, d.lastError].filter((v) => v !== null).join(' ') || '—'}
                      </td>
                      <td className="px-4 py-3">
                        {d.status !== 'pending' && (
                          <RedriveButton
                            clientId={app.clientId}
                            id={d.id}
                            label={t('deliveries.redrive', { id: d.id })}
                          />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </PageSection>
    </div>
  );
}
