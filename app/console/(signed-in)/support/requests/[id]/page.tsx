import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { notFound } from 'next/navigation';

import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-section';
import { requirePermission } from '@/server/staff/auth';
import { getAgentRequest } from '@/server/support/verification';

import { RequestPoller } from './request-poller';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('console.support.request'))('title') };
}

export default async function VerificationRequestPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePermission('support.verify');
  const [{ id }, t] = await Promise.all([params, getTranslations('console.support.request')]);
  const request = await getAgentRequest(actor, id);
  if (!request) notFound();
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={t('title')} intro={t('intro')} />
      <p>
        {t('matching')}{' '}
        <strong className="font-mono text-4xl" data-testid="matching-number">
          {request.number}
        </strong>
      </p>
      <div aria-live="polite">
        {request.status === 'pending' && <p role="status">{t('waiting')}</p>}
        {request.status === 'refused' && <Alert tone="error">{t('refused')}</Alert>}
        {request.status === 'expired' && <Alert tone="error">{t('expired')}</Alert>}
      </div>
      <RequestPoller requestId={request.id} status={request.status} />
      {request.status !== 'pending' && request.status !== 'approved' && (
        <p>
          <Link className="underline" href="/console/support">
            {t('again')}
          </Link>
        </p>
      )}
    </div>
  );
}
