'use client';

import { useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { unlinkIdentityAction } from './identity-actions';

export function IdentityItem({
  identity,
  hasPasskey,
}: {
  identity: { id: string; providerName: string; linked: string };
  hasPasskey: boolean;
}) {
  const t = useTranslations('identities');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp(hasPasskey);
  const [error, setError] = useState<string | null>(null);

  const unlink = () => {
    if (window.confirm(t('unlinkConfirm', { provider: identity.providerName }))) send();
  };
  // After step-up the same unlink runs again without asking twice.
  const send = () =>
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => unlinkIdentityAction({ identityId: identity.id }));
      if (stepUp.needed(result, send)) return;
      if (!result.ok) setError(tr(result.message ?? 'common.genericError'));
    });

  return (
    <li className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="font-semibold">{identity.providerName}</p>
          <p className="text-sm text-muted">{t('linkedOn', { date: identity.linked })}</p>
        </div>
        <Button
          type="button"
          variant="secondary"
          onClick={unlink}
          pending={pending}
          aria-label={t('unlinkLabel', { provider: identity.providerName })}
        >
          {t('unlink')}
        </Button>
      </div>
      <div aria-live="assertive">{error && <Alert tone="error">{error}</Alert>}</div>
      {stepUp.panel}
    </li>
  );
}
