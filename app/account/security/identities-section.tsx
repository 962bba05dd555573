import { NextIntlClientProvider } from 'next-intl';
import { getFormatter, getMessages, getTranslations } from 'next-intl/server';

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
    <section aria-labelledby="identities-title" className="flex flex-col gap-4">
      <h2 id="identities-title" className="text-xl font-semibold">
        {t('title')}
      </h2>
      <p className="text-muted">{t('intro')}</p>
      {identities.length === 0 ? (
        <p className="rounded-lg bg-white p-4 ring-1 ring-slate-200">{t('none')}</p>
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
    </section>
  );
}
