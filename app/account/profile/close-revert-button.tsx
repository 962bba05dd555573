'use client';

import { useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { closeEmailRevertAction } from './actions';

/**
 * While the previous address can undo an email change, the customer may close
 * that way back (after step-up): the old address may be the one that leaked.
 */
export function CloseRevertButton({
  oldEmail,
  until,
  hasPasskey,
}: {
  oldEmail: string;
  until: string;
  hasPasskey: boolean;
}) {
  const t = useTranslations('emailChange');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp(hasPasskey);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);

  const close = () =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => closeEmailRevertAction());
      if (stepUp.needed(result, close)) return;
      if (result.ok) setNotice({ tone: 'success', text: t('revertClosed', { oldEmail }) });
      else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  const closed = notice?.tone === 'success';
  return (
    <div className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      {!closed && (
        <>
          <p>{t('revertOpen', { oldEmail, date: until })}</p>
          <p className="text-sm text-muted">{t('closeRevertHint', { oldEmail })}</p>
        </>
      )}
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {stepUp.open
        ? stepUp.panel
        : !closed && (
            <div>
              <Button
                type="button"
                variant="secondary"
                onClick={close}
                pending={pending}
                pendingLabel={t('closingRevert')}
              >
                {t('closeRevert')}
              </Button>
            </div>
          )}
    </div>
  );
}
