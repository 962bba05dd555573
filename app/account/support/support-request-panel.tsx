'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/page-section';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { decideSupportRequestAction } from './actions';

const POLL_MS = 3000;

/**
 * An agent's verification request appears while the customer is on this page:
 * the page refreshes itself every few seconds while visible (and pauses during step-up).
 */
export function SupportRequestPanel({
  hasPasskey,
  request,
}: {
  hasPasskey: boolean;
  request: { id: string; number: string; agentName: string } | null;
}) {
  const t = useTranslations('support.request');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const stepUp = useStepUp(hasPasskey);

  useEffect(() => {
    if (stepUp.open) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [router, stepUp.open]);

  const decide = (decision: 'approved' | 'refused') => {
    if (!request) return;
    const run = () =>
      startTransition(async () => {
        setNotice(null);
        const result = await callAction(() => decideSupportRequestAction(request.id, decision));
        if (stepUp.needed(result, run)) return;
        if (result.ok) setNotice({ tone: 'success', text: t(decision === 'approved' ? 'approved' : 'refused') });
        else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
        router.refresh();
      });
    run();
  };

  return (
    <div className="flex flex-col gap-3">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {!request ? (
        <EmptyState>{t('none')}</EmptyState>
      ) : stepUp.open ? (
        stepUp.panel
      ) : (
        <div className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
          <p>{t('asks', { agent: request.agentName })}</p>
          <p>
            {t('matching')}{' '}
            <strong className="font-mono text-3xl" data-testid="matching-number">
              {request.number}
            </strong>
          </p>
          <p className="text-muted">{t('onlyIfCalling')}</p>
          <div className="flex flex-wrap gap-3">
            <Button type="button" onClick={() => decide('approved')} pending={pending} pendingLabel={t('deciding')}>
              {t('approve')}
            </Button>
            <Button type="button" variant="secondary" onClick={() => decide('refused')} disabled={pending}>
              {t('refuse')}
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
