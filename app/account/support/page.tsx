import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { PageHeader, PageSection } from '@/components/ui/page-section';
import { requireCustomer } from '@/server/identity/auth';
import { countPasskeys } from '@/server/identity/passkeys';
import { liveSupportCodeExpiry } from '@/server/support/codes';
import { getPendingRequestForCustomer } from '@/server/support/verification';

import { SupportCodePanel } from './support-code-panel';
import { SupportRequestPanel } from './support-request-panel';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('support'))('title') };
}

export default async function SupportPage() {
  const customer = await requireCustomer({ returnTo: '/account/support' });
  const [t, codeExpiry, request, passkeys] = await Promise.all([
    getTranslations('support'),
    liveSupportCodeExpiry(customer.sessionId),
    getPendingRequestForCustomer(customer.id),
    countPasskeys(customer.id),
  ]);
  return (
    <div className="flex flex-col gap-10">
      <PageHeader title={t('title')} intro={t('intro')} />
      <PageSection id="support-code" title={t('code.title')} intro={t('code.intro')}>
        <SupportCodePanel hasLiveCode={codeExpiry !== null} />
      </PageSection>
      <PageSection id="support-request" title={t('request.title')} intro={t('request.intro')}>
        <SupportRequestPanel
          hasPasskey={passkeys > 0}
          request={request && { id: request.id, number: request.number, agentName: request.agentName }}
        />
      </PageSection>
    </div>
  );
}
