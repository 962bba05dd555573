'use client';

import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { revokeOtherSessionsAction, revokeSessionAction } from './actions';

export function SessionItem({
  session,
}: {
  session: { id: string; device: string; ipPrefix: string; started: string; lastActive: string; current: boolean };
}) {
  const t = useTranslations('security');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div>
        <p className="font-semibold">
          {session.device}
          {session.current && (
            <span className="ml-2 rounded-full bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-900">
              {t('thisDevice')}
            </span>
          )}
        </p>
        <p className="text-sm text-muted">
          {t('sessionMeta', { ip: session.ipPrefix, started: session.started, lastActive: session.lastActive })}
        </p>
        {error && <Alert tone="error">{error}</Alert>}
      </div>
      {!session.current && (
        <Button
          type="button"
          variant="secondary"
          pending={pending}
          aria-label={t('signOutSessionLabel', { device: session.device })}
          onClick={() =>
            startTransition(async () => {
              const result = await callAction(() => revokeSessionAction({ sessionId: session.id }));
              if (!result.ok) setError(tr(result.message ?? 'common.genericError'));
            })
          }
        >
          {t('signOutSession')}
        </Button>
      )}
    </li>
  );
}

export function SignOutOthersButton() {
  const t = useTranslations('security');
  const [pending, startTransition] = useTransition();
  return (
    <Button
      type="button"
      variant="secondary"
      pending={pending}
      onClick={() => startTransition(async () => void (await callAction(() => revokeOtherSessionsAction())))}
    >
      {t('signOutOthers')}
    </Button>
  );
}
