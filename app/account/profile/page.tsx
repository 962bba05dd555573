import type { Metadata } from 'next';
import { getFormatter, getLocale, getTranslations } from 'next-intl/server';
import { notFound } from 'next/navigation';

import { EmptyState, PageHeader, PageSection } from '@/components/ui/page-section';
import { ADDRESS_COUNTRIES, ADDRESS_KINDS, type AddressCountry } from '@/lib/validation/address';
import { formatPhone, phoneCountryOf } from '@/lib/validation/phone';
import { PHONE_COUNTRIES, type PhoneCountry } from '@/lib/validation/profile';
import type { HistoryAttribute, Provenance } from '@/server/customers/profile';
import { getProfilePage } from '@/server/customers/profile-page';
import { requireCustomer } from '@/server/identity/auth';

import { AddressCard } from './address-card';
import { CloseRevertButton } from './close-revert-button';
import { describeValue } from './display';
import { EmailSection } from './email-section';
import { PersonalDetailsForm } from './personal-details-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('profile.title') };
}

export default async function ProfilePage() {
  const customer = await requireCustomer({ returnTo: '/account/profile' });
  const [page, t, tc, tAccount, format, locale] = await Promise.all([
    getProfilePage(customer.id, customer.sessionId),
    getTranslations('profile'),
    getTranslations('common'),
    getTranslations('account'),
    getFormatter(),
    getLocale(),
  ]);
  if (!page) notFound();
  const { profile, history, pendingEmail, revert, passkeys, otherSessions } = page;

  const date = (d: Date) => format.dateTime(d, { dateStyle: 'medium', timeStyle: 'short' });
  // An agent's write is "support:<the agent as the customer sees them>" (server/support/agent-actions.ts).
  const channel = (c: string) =>
    c === 'portal'
      ? t('channelPortal')
      : c.startsWith('support:')
        ? t('channelSupport', { agent: c.slice('support:'.length) })
        : c;
  const describeProvenance = (p: Provenance | undefined) =>
    p
      ? `${t('provenance', { date: date(p.changedAt), channel: channel(p.channel) })} · ${p.verified ? t('verified') : t('unverified')}`
      : t('provenanceSince');
  const fieldLabel = (attribute: HistoryAttribute) => t(`fields.${attribute.replace('.', '_')}` as 'fields.firstName');
  const languageName = (code: string) => (code === 'en' || code === 'fr' ? tc(`languageNames.${code}`) : code);
  const describe = (attribute: string, value: Parameters<typeof describeValue>[1]) =>
    describeValue(attribute, value, { locale, notSet: t('notSet'), languageName, formatPhone });

  const homeCountry = profile.addresses.home?.country;
  const defaultPhoneCountry: PhoneCountry =
    phoneCountryOf(profile.phone) ??
    ((PHONE_COUNTRIES as readonly string[]).includes(homeCountry ?? '')
      ? (homeCountry as PhoneCountry)
      : locale === 'en'
        ? 'GB'
        : 'FR');
  const defaultAddressCountry: AddressCountry =
    homeCountry ??
    ((ADDRESS_COUNTRIES as readonly string[]).includes(defaultPhoneCountry)
      ? (defaultPhoneCountry as AddressCountry)
      : 'FR');

  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={tAccount('profile.title')} intro={t('intro')} />

      <PageSection id="details" title={t('detailsTitle')}>
        <PersonalDetailsForm
          version={profile.version}
          locale={locale}
          initial={{
            firstName: profile.firstName ?? '',
            lastName: profile.lastName ?? '',
            phone: profile.phone ? formatPhone(profile.phone) : '',
            phoneCountry: defaultPhoneCountry,
            locale: profile.locale === 'fr' ? 'fr' : 'en',
          }}
          provenance={{
            firstName: describeProvenance(profile.provenance.firstName),
            lastName: describeProvenance(profile.provenance.lastName),
            phone: describeProvenance(profile.provenance.phone),
            locale: describeProvenance(profile.provenance.locale),
          }}
        />
      </PageSection>

      <PageSection id="email" title={(await getTranslations('emailChange'))('title')}>
        <EmailSection
          email={profile.email}
          verified={profile.emailVerified}
          provenance={describeProvenance(profile.provenance.email)}
          pendingEmail={pendingEmail?.newEmail ?? null}
          pendingMailQueued={pendingEmail?.mailQueued ?? false}
          hasPasskey={passkeys > 0}
          otherSessions={otherSessions}
        />
        {revert && (
          <CloseRevertButton oldEmail={revert.oldEmail} until={date(revert.expiresAt)} hasPasskey={passkeys > 0} />
        )}
      </PageSection>

      <PageSection id="addresses" title={t('addressesTitle')} intro={t('addressesIntro')}>
        <div className="flex flex-col gap-4">
          {ADDRESS_KINDS.map((kind) => (
            <AddressCard
              key={kind}
              kind={kind}
              version={profile.version}
              address={profile.addresses[kind]}
              provenance={describeProvenance(profile.provenance[`address.${kind}`])}
              locale={locale}
              defaultCountry={defaultAddressCountry}
            />
          ))}
        </div>
      </PageSection>

      <PageSection id="history" title={t('historyTitle')} intro={t('historyIntro')}>
        {history.length === 0 ? (
          <EmptyState>{t('historyEmpty')}</EmptyState>
        ) : (
          <ol className="flex flex-col gap-2">
            {history.map((h) => (
              <li key={h.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200">
                <p className="font-medium break-words">
                  {t('historyEntry', {
                    field: fieldLabel(h.attribute),
                    from: describe(h.attribute, h.oldValue),
                    to: describe(h.attribute, h.newValue),
                  })}
                </p>
                <p className="text-muted">
                  {t('historyMeta', { date: date(h.changedAt), channel: channel(h.channel) })} ·{' '}
                  {h.verified ? t('verified') : t('unverified')}
                </p>
              </li>
            ))}
          </ol>
        )}
      </PageSection>
    </div>
  );
}
