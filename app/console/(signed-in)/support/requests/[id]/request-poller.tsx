'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { openApprovedCaseAction } from '../../actions';

const POLL_MS = 2000;

/** Refreshes the page until the customer decides; once approved, opens the case. */
export function RequestPoller({ requestId, status }: { requestId: string; status: string }) {
  const t = useTranslations('console.support.request');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const tried = useRef(false);

  const open = () =>
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => openApprovedCaseAction(requestId));
      if (!result.ok) setError(tr(result.message ?? 'common.genericError'));
    });

  useEffect(() => {
    if (status !== 'pending') return;
    const timer = setInterval(() => router.refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [router, status]);

  useEffect(() => {
    if (status === 'approved' && !tried.current) {
      tried.current = true;
      open();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, when the approval arrives
  }, [status]);

  if (status !== 'approved') return null;
  return (
    <div className="flex flex-col gap-3">
      <Alert tone="success">{t('approved')}</Alert>
      {error && <Alert tone="error">{error}</Alert>}
      <div>
        <Button type="button" onClick={open} pending={pending} pendingLabel={t('opening')}>
          {t('openCase')}
        </Button>
      </div>
    </div>
  );
}
