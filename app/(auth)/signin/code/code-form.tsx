'use client';

import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { VerifyCodeInput } from '@/lib/validation/sign-in';

import { resendCodeAction, verifyCodeAction } from '../actions';

const check = lazyZodResolver(() => import('@/lib/validation/sign-in').then((m) => m.VerifyCodeSchema));

export function CodeForm() {
  const t = useTranslations('code');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [resending, startResend] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const form = useForm<VerifyCodeInput>({ resolver: check.resolver, defaultValues: { code: '' } });
  const [errorValues, setErrorValues] = useState<Record<string, string | number> | undefined>();
  const error = form.formState.errors.code?.message;

  const onSubmit = form.handleSubmit((values) => {
    setNotice(null);
    startTransition(async () => {
      const result = await callAction(() => verifyCodeAction(values));
      if (result.ok) return;
      setErrorValues(result.values);
      if (result.fieldErrors?.code) form.setError('code', { message: result.fieldErrors.code }, { shouldFocus: true });
      if (result.message) setNotice({ tone: 'error', text: tr(result.message, result.values) });
    });
  });

  const onResend = () => {
    setNotice(null);
    startResend(async () => {
      const result = await callAction(() => resendCodeAction());
      form.reset({ code: '' });
      setNotice(
        result.ok
          ? { tone: 'success', text: t('resent') }
          : { tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) },
      );
    });
  };

  return (
    <div className="flex flex-col gap-5">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <form
        method="post"
        onSubmit={onSubmit}
        onFocus={check.preload}
        onInput={check.preload}
        noValidate
        className="flex flex-col gap-5"
      >
        <TextField
          id="code"
          label={t('codeLabel')}
          hint={t('codeHint')}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={12}
          autoFocus
          className="font-mono text-xl tracking-[0.3em]"
          error={error ? tr(error, errorValues) : undefined}
          {...form.register('code')}
        />
        <Button type="submit" pending={pending} pendingLabel={t('submitting')}>
          {t('submit')}
        </Button>
      </form>
      <Button type="button" variant="secondary" onClick={onResend} pending={resending}>
        {t('resend')}
      </Button>
    </div>
  );
}
