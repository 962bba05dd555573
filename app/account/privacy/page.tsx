import type { Metadata } from 'next';
import { getFormatter, getLocale, getTranslations } from 'next-intl/server';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { SALE_AND_SHARING_PURPOSES } from '@/server/consent/consent';
import { getPrivacyDashboard } from '@/server/consent/dashboard';
import { honourGlobalPrivacyControl } from '@/server/consent/privacy-signals';
import { requireCustomer } from '@/server/identity/auth';
import { listSignedInApps } from '@/server/oidc/grants';

import { AppAccessItem } from './app-access-item';
import { ConsentItem } from './consent-item';
import { DeleteAccount } from './delete-account';
import { ExportButton } from './export-button';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('privacy.title') };
}

const card = 'rounded-lg bg-white p-4 ring-1 ring-slate-200';

export default async function PrivacyPage() {
  const customer = await requireCustomer({ returnTo: '/account/privacy' });
  // Before reading: a Sec-GPC request shows its own opt-out on this very page.
  await honourGlobalPrivacyControl(customer.id);
  const locale = (await getLocale()) === 'fr' ? 'fr' : 'en';
  const [
    { purposes, receipts, titles, optOuts, apps, accesses, passkeys },
    signedIn,
    t,
    tAccount,
    tExport,
    tDeletion,
    tOidc,
    format,
  ] = await Promise.all([
    getPrivacyDashboard(customer.id, locale),
    listSignedInApps(customer.id),
    getTranslations('privacy'),
    getTranslations('account'),
    getTranslations('export'),
    getTranslations('deletion'),
    getTranslations('oidc.authorize'),
    getFormatter(),
  ]);
  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  // The access log keeps field and purpose keys; the customer reads their names.
  const fieldName = (f: string) => (t.has(`appFields.${f}`) ? t(`appFields.${f}` as 'appFields.name') : f);
  const purposeName = (k: string) =>
    titles[k] ?? (t.has(`accessPurposes.${k}`) ? t(`accessPurposes.${k}` as 'accessPurposes.data-subject-request') : k);
  const purposeNames = (keys: string) => format.list(keys.split(',').map(purposeName));
  const method = (m: string) => (t.has(`methods.${m}`) ? t(`methods.${m}` as 'methods.seed') : m);
  const basis = (b: string) => (t.has(`legalBasis.${b}`) ? t(`legalBasis.${b}` as 'legalBasis.consent') : b);
  const optedOutOfSale = optOuts.some((o) => o.kind === 'sale-sharing');
  // The apps the customer signed in to with their account (issue 17): when, and what the app received.
  const signedInNote = new Map(
    signedIn.map((s) => [
      s.appId,
      s.claims.length > 0
        ? tOidc('signedInSince', {
            first: date(s.firstSignedInAt),
            last: date(s.lastSignedInAt),
            claims: format.list(
              s.claims.map((c) => (tOidc.has(`claims.${c}`) ? tOidc(`claims.${c}` as 'claims.name') : c)),
            ),
          })
        : tOidc('signedInSinceNoClaims', { first: date(s.firstSignedInAt), last: date(s.lastSignedInAt) }),
    ]),
  );

  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={tAccount('privacy.title')} intro={t('intro')} />

      <PageSection id="consents" title={t('consentsTitle')}>
        <ul className="flex flex-col gap-3">
          {purposes.map((p) => (
            <ConsentItem
              key={p.key}
              purposeKey={p.key}
              title={p.title}
              text={p.text}
              legalBasis={basis(p.legalBasis)}
              required={p.required}
              currentVersion={p.currentVersion}
              policyUrl={p.policyUrl}
              granted={p.state.granted}
              grantedVersion={p.state.version}
              needsReview={p.needsReview}
              gpcNote={optedOutOfSale && SALE_AND_SHARING_PURPOSES.includes(p.key)}
            />
          ))}
        </ul>
      </PageSection>

      <PageSection id="optouts" title={t('optOutsTitle')}>
        {optOuts.length === 0 ? (
          <EmptyState>{t('noOptOut')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-2">
            {optOuts.map((o) => (
              <li key={o.kind} className={card}>
                {t(o.source === 'global-privacy-control' ? 'optOutGpc' : 'optOutPortal', { date: date(o.createdAt) })}
              </li>
            ))}
          </ul>
        )}
      </PageSection>

      <PageSection id="receipts" title={t('historyTitle')} intro={t('historyIntro')}>
        {receipts.length === 0 ? (
          <EmptyState>{t('historyEmpty')}</EmptyState>
        ) : (
          <ol className="flex flex-col gap-2">
            {receipts.map((r) => {
              const title = titles[r.purposeKey] ?? r.purposeKey;
              return (
                <li key={r.id} className={`${card} flex flex-wrap items-center justify-between gap-3 text-sm`}>
                  <div>
                    <p className="font-medium">
                      {t(r.granted ? 'receiptGranted' : 'receiptWithdrawn', { title, version: r.purposeVersion })}
                    </p>
                    <p className="text-muted">
                      {t('receiptMeta', {
                        date: date(r.createdAt),
                        method: method(r.collectionMethod),
                        jurisdiction: r.jurisdiction,
                      })}
                    </p>
                  </div>
                  <a
                    href={`/account/privacy/receipts/${r.id}`}
                    download
                    className="font-medium text-brand underline underline-offset-4"
                    aria-label={t('downloadReceiptLabel', { title, date: date(r.createdAt) })}
                  >
                    {t('downloadReceipt')}
                  </a>
                </li>
              );
            })}
          </ol>
        )}
      </PageSection>

      <PageSection id="apps" title={t('appsTitle')} intro={t('appsIntro')}>
        {apps.length === 0 ? (
          <EmptyState>{t('appsEmpty')}</EmptyState>
        ) : (
          <ul className="flex flex-col gap-3">
            {apps.map((a) => (
              <AppAccessItem
                key={a.id}
                appId={a.id}
                name={a.name}
                description={a.description}
                fields={a.fields.map((f) => ({ field: f.field, purposes: f.purposes.map((p) => p.title) }))}
                visibleFields={a.visibleFields}
                withdrawn={a.withdrawn}
                signedInNote={signedInNote.get(a.id)}
              />
            ))}
          </ul>
        )}
      </PageSection>

      <PageSection id="access" title={t('accessTitle')} intro={t('accessIntro')}>
        {accesses.length === 0 ? (
          <EmptyState>{t('accessEmpty')}</EmptyState>
        ) : (
          <ol className="flex flex-col gap-2">
            {accesses.map((a) => (
              <li key={a.id} className={`${card} text-sm`}>
                <p className="font-medium">
                  {t('accessEntry', {
                    who: `${t.has(`accessorTypes.${a.accessorType}`) ? t(`accessorTypes.${a.accessorType}` as 'accessorTypes.app') : a.accessorType} · ${a.accessorName}`,
                    fields: format.list(a.fields.map(fieldName)),
                  })}
                </p>
                <p className="text-muted">
                  {t('accessMeta', {
                    date: date(a.occurredAt),
                    purpose: a.reason ? `${purposeNames(a.purpose)} (${a.reason})` : purposeNames(a.purpose),
                  })}
                </p>
              </li>
            ))}
          </ol>
        )}
      </PageSection>

      <PageSection id="export" title={tExport('title')} intro={tExport('intro')}>
        <ExportButton hasPasskey={passkeys > 0} />
      </PageSection>

      <PageSection id="delete" title={tDeletion('title')}>
        <p className="-mt-2 max-w-prose text-muted">{tDeletion('intro')}</p>
        <DeleteAccount email={customer.email} hasPasskey={passkeys > 0} />
      </PageSection>
    </div>
  );
}
