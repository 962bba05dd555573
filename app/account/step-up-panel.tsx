'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useRef, useState, useTransition } from 'react';

import {
  finishStepUpPasskeyAction,
  sendStepUpCodeAction,
  startStepUpPasskeyAction,
  verifyStepUpCodeAction,
} from '@/app/account/actions';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

/**
 * Asks the customer to prove again who they are (a passkey, or a fresh email
 * code), inline, then calls onVerified so the page carries on with what the
 * customer was doing.
 */
export function StepUpPanel({
  hasPasskey,
  onVerified,
  onCancel,
}: {
  hasPasskey: boolean;
  onVerified: () => void;
  onCancel: () => void;
}) {
  const t = useTranslations('stepUp');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [codeSent, setCodeSent] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const usePasskey = () =>
    startTransition(async () => {
      setError(null);
      const { ceremonyId, options } = await startStepUpPasskeyAction();
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options });
      } catch {
        setError(t('passkeyCancelled'));
        return;
      }
      const result = await callAction(() => finishStepUpPasskeyAction({ ceremonyId, response }));
      if (result.ok) onVerified();
      else setError(tr(result.message ?? 'common.genericError'));
    });

  const sendCode = () =>
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => sendStepUpCodeAction());
      if (result.ok) setCodeSent(true);
      else setError(tr(result.message ?? 'common.genericError', result.values));
    });

  const verify = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => verifyStepUpCodeAction({ code }));
      if (result.ok) return onVerified();
      const key = result.fieldErrors?.code ?? result.message ?? 'common.genericError';
      setError(tr(key, result.values));
    });
  };

  return (
    <section aria-labelledby="step-up-title" className="rounded-xl border-2 border-brand bg-white p-5">
      <h3 id="step-up-title" ref={heading} tabIndex={-1} className="text-lg font-semibold">
        {t('title')}
      </h3>
      <p className="mt-1 text-sm text-muted">{t('intro')}</p>
      <div aria-live="assertive" className="mt-3">
        {error && <Alert tone="error">{error}</Alert>}
      </div>
      {!codeSent ? (
        <div className="mt-4 flex flex-wrap gap-3">
          {hasPasskey && (
            <Button type="button" onClick={usePasskey} pending={pending}>
              {t('usePasskey')}
            </Button>
          )}
          <Button type="button" variant={hasPasskey ? 'secondary' : 'primary'} onClick={sendCode} pending={pending}>
            {t('emailCode')}
          </Button>
          <Button type="button" variant="link" onClick={onCancel}>
            {t('cancel')}
          </Button>
        </div>
      ) : (
        <form onSubmit={verify} className="mt-4 flex flex-col gap-4" noValidate>
          <p className="text-sm">{t('codeSent')}</p>
          <TextField
            id="step-up-code"
            label={t('codeLabel')}
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoFocus
          />
          <div className="flex flex-wrap gap-3">
            <Button type="submit" pending={pending}>
              {t('confirm')}
            </Button>
            <Button type="button" variant="link" onClick={onCancel}>
              {t('cancel')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
