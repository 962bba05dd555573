import { getFormatter, getTranslations } from 'next-intl/server';

import { EmptyState, PageSection } from '@/components/ui/page-section';
import type { IdentitySummary } from '@/server/identity/identities';

import { IdentityItem } from './identity-item';

/** "Connected accounts": the third-party identities that can sign in to this account. */
export async function IdentitiesSection({
  identities,
  hasPasskey,
}: {
  identities: IdentitySummary[];
  hasPasskey: boolean;
}) {
  const [t, format] = await Promise.all([getTranslations('identities'), getFormatter()]);
  return (
    <PageSection id="identities" title={t('title')} intro={t('intro')}>
      {identities.length === 0 ? (
        <EmptyState>{t('none')}</EmptyState>
      ) : (
        <ul className="flex flex-col gap-3">
          {identities.map((identity) => (
            <IdentityItem
              key={identity.id}
              hasPasskey={hasPasskey}
              identity={{
                id: identity.id,
                providerName: identity.providerName,
                linked: format.dateTime(identity.linkedAt, { dateStyle: 'medium' }),
              }}
            />
          ))}
        </ul>
      )}
    </PageSection>
  );
}
