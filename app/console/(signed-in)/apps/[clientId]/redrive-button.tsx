'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { redriveDeliveriesAction } from '../actions';

/** Sends one delivery again, or (no id) every dead one of the app. */
export function RedriveButton({ clientId, id, label }: { clientId: string; id?: string; label: string }) {
  const t = useTranslations('console.apps.deliveries');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [status, setStatus] = useState('');

  const redrive = () =>
    startTransition(async () => {
      const result = await callAction(() => redriveDeliveriesAction(id ? { clientId, ids: [id] } : { clientId }));
      setStatus(result.ok ? t('queued', { count: result.count }) : tr(result.message ?? 'common.genericError'));
      if (result.ok) router.refresh();
    });

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button type="button" variant="secondary" pending={pending} pendingLabel={t('redriving')} onClick={redrive}>
        {label}
      </Button>
      <span role="status" className="text-sm text-muted">
        {status}
      </span>
    </span>
  );
}
