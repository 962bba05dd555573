import { NextIntlClientProvider } from 'next-intl';
import { getFormatter, getMessages, getTranslations } from 'next-intl/server';

import { EmptyState, PageSection } from '@/components/ui/page-section';
import { listIdentities } from '@/server/identity/identities';

import { IdentityItem } from './identity-item';

/** "Connected accounts": the third-party identities that can sign in to this account. */
export async function IdentitiesSection({ customerId }: { customerId: string }) {
  const [t, format, messages, identities] = await Promise.all([
    getTranslations('identities'),
    getFormatter(),
    getMessages(),
    listIdentities(customerId),
  ]);
  // The root layout sends the browser only its own namespaces; the Unlink button also needs these.
  const clientMessages = Object.fromEntries(
    ['common', 'validation', 'security', 'identities'].map((ns) => [ns, messages[ns]]),
  );
  return (
    <PageSection id="identities" title={t('title')} intro={t('intro')}>
      {identities.length === 0 ? (
        <EmptyState>{t('none')}</EmptyState>
      ) : (
        <NextIntlClientProvider messages={clientMessages}>
          <ul className="flex flex-col gap-3">
            {identities.map((identity) => (
              <IdentityItem
                key={identity.id}
                identity={{
                  id: identity.id,
                  providerName: identity.providerName,
                  linked: format.dateTime(identity.linkedAt, { dateStyle: 'medium' }),
                }}
              />
            ))}
          </ul>
        </NextIntlClientProvider>
      )}
    </PageSection>
  );
}
