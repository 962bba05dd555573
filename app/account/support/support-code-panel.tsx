'use client';

import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useLocale, useTranslations } from '@/lib/i18n/client';

import { showSupportCodeAction } from './actions';

export function SupportCodePanel({ hasLiveCode }: { hasLiveCode: boolean }) {
  const t = useTranslations('support.code');
  const tr = useActionMessages();
  const locale = useLocale();
  const [pending, startTransition] = useTransition();
  const [shown, setShown] = useState<{ code: string; expiresAt: Date } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = () =>
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => showSupportCodeAction());
      if (result.ok && 'code' in result) setShown({ code: result.code, expiresAt: new Date(result.expiresAt) });
      else if (!result.ok) setError(tr(result.message ?? 'common.genericError', result.values));
    });

  return (
    <div className="flex flex-col gap-3">
      <div aria-live="polite">
        {error && <Alert tone="error">{error}</Alert>}
        {shown && (
          <div className="rounded-lg bg-white p-4 ring-1 ring-slate-200">
            <p>{t('readIt')}</p>
            <p
              className="my-2 font-mono text-4xl font-bold tracking-[0.3em]"
              data-testid="support-code"
              aria-label={t('codeLabel', { code: shown.code.split('').join(' ') })}
            >
              {shown.code}
            </p>
            <p className="text-muted">
              {t('validUntil', {
                time: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(shown.expiresAt),
              })}
            </p>
          </div>
        )}
      </div>
      {!shown && hasLiveCode && <p className="text-muted">{t('replaces')}</p>}
      <div>
        <Button type="button" onClick={show} pending={pending} pendingLabel={t('showing')}>
          {shown ? t('again') : t('show')}
        </Button>
      </div>
    </div>
  );
}
