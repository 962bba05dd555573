'use client';

import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useWebAuthnSupport } from '@/components/use-webauthn-support';
import { useTranslations } from '@/lib/i18n/client';
import type { VerifyCodeInput } from '@/lib/validation/sign-in';

import { finishLinkPasskeyAction, sendLinkCodeAction, startLinkPasskeyAction, verifyLinkCodeAction } from './actions';

const check = lazyZodResolver(() => import('@/lib/validation/sign-in').then((m) => m.VerifyCodeSchema));

/** The two ways to prove the account before linking: a code mailed to it, or one of its passkeys. */
export function LinkProof({ email, hasPasskey }: { email: string; hasPasskey: boolean }) {
  const t = useTranslations('oidc.link');
  const tr = useActionMessages();
  const webAuthn = useWebAuthnSupport(false);
  const [pending, startTransition] = useTransition();
  const [codeSent, setCodeSent] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [errorValues, setErrorValues] = useState<Record<string, string | number> | undefined>();
  const form = useForm<VerifyCodeInput>({ resolver: check.resolver, defaultValues: { code: '' } });
  const codeError = form.formState.errors.code?.message;

  const sendCode = () =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => sendLinkCodeAction());
      if (!result.ok)
        return setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) });
      form.reset({ code: '' });
      if (codeSent) setNotice({ tone: 'success', text: t('codeResent') });
      setCodeSent(true);
    });

  const usePasskey = () =>
    startTransition(async () => {
      setNotice(null);
      let start;
      try {
        start = await startLinkPasskeyAction();
      } catch {
        return setNotice({ tone: 'error', text: tr('common.genericError') });
      }
      if (!start.ok) return setNotice({ tone: 'error', text: tr(start.message ?? 'common.genericError') });
      const { ceremonyId, options } = start;
      // The ceremony's code loads when the button is pressed, not with the page.
      const webAuthn = await import('@simplewebauthn/browser').catch(() => null);
      if (!webAuthn) return setNotice({ tone: 'error', text: tr('common.genericError') });
      let response;
      try {
        response = await webAuthn.startAuthentication({ optionsJSON: options });
      } catch {
        return setNotice({ tone: 'error', text: t('passkeyCancelled') });
      }
      const result = await callAction(() => finishLinkPasskeyAction({ ceremonyId, response }));
      if (!result.ok) setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  const verify = form.handleSubmit((values) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => verifyLinkCodeAction(values));
      if (result.ok) return;
      setErrorValues(result.values);
      if (result.fieldErrors?.code) form.setError('code', { message: result.fieldErrors.code }, { shouldFocus: true });
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    }),
  );

  return (
    <div className="flex flex-col gap-5">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {codeSent ? (
        <>
          <p>{t.rich('codeSent', { email, strong: (c) => <strong>{c}</strong> })}</p>
          <form
            method="post"
            onSubmit={verify}
            onFocus={check.preload}
            onInput={check.preload}
            noValidate
            className="flex flex-col gap-5"
          >
            <TextField
              id="link-code"
              label={t('codeLabel')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={12}
              autoFocus
              className="font-mono text-xl tracking-[0.3em]"
              error={codeError ? tr(codeError, errorValues) : undefined}
              {...form.register('code')}
            />
            <Button type="submit" pending={pending} pendingLabel={t('linking')}>
              {t('confirmCode')}
            </Button>
          </form>
          <Button type="button" variant="secondary" onClick={sendCode} disabled={pending}>
            {t('resendCode')}
          </Button>
        </>
      ) : (
        <div className="flex flex-col gap-3">
          <Button type="button" onClick={sendCode} pending={pending}>
            {t('emailCode')}
          </Button>
          {hasPasskey && webAuthn && (
            <Button
              type="button"
              variant="secondary"
              onClick={usePasskey}
              pending={pending}
              pendingLabel={t('waitingForPasskey')}
            >
              {t('usePasskey')}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
