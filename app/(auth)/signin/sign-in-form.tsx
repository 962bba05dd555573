'use client';

import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { RequestSignInInput } from '@/lib/validation/sign-in';

import { requestSignInAction } from './actions';

const check = lazyZodResolver(() => import('@/lib/validation/sign-in').then((m) => m.RequestSignInSchema));

export function SignInForm({ returnTo }: { returnTo?: string }) {
  const t = useTranslations('signIn');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<RequestSignInInput>({
    resolver: check.resolver,
    defaultValues: { email: '' },
  });
  const error = form.formState.errors.email?.message;

  const onSubmit = form.handleSubmit((values) => {
    setMessage(null);
    startTransition(async () => {
      const result = await callAction(() => requestSignInAction(values, returnTo));
      if (result.ok) return;
      if (result.fieldErrors?.email)
        form.setError('email', { message: result.fieldErrors.email }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message, result.values));
    });
  });

  return (
    <form
      method="post"
      onSubmit={onSubmit}
      onFocus={check.preload}
      onInput={check.preload}
      noValidate
      className="flex flex-col gap-5"
    >
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="email"
        label={t('emailLabel')}
        type="email"
        inputMode="email"
        autoComplete="username webauthn"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        error={error ? tr(error) : undefined}
        {...form.register('email')}
      />
      <Button type="submit" pending={pending} pendingLabel={t('submitting')}>
        {t('submit')}
      </Button>
    </form>
  );
}
