'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import {
  SupportCodeSchema,
  VerificationRequestSchema,
  type SupportCodeInput,
  type VerificationRequestInput,
} from '@/lib/validation/support-case';

import { sendVerificationRequestAction, verifySupportCodeAction } from './actions';

export function SupportCodeForm() {
  const t = useTranslations('console.support.find');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<SupportCodeInput>({
    resolver: zodResolver(SupportCodeSchema),
    defaultValues: { email: '', code: '' },
  });
  const { errors } = form.formState;

  const submit = (values: SupportCodeInput) =>
    startTransition(async () => {
      setMessage(null);
      // Verified: the action redirects to the new case.
      const result = await callAction(() => verifySupportCodeAction(values));
      if (result.ok) return;
      for (const [field, key] of Object.entries(result.fieldErrors ?? {}))
        if (field === 'email' || field === 'code') form.setError(field, { message: key }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message, result.values));
      form.setValue('code', '');
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="support-email"
        type="email"
        label={t('email')}
        hint={t('emailHint')}
        autoComplete="off"
        spellCheck={false}
        error={errors.email?.message ? tr(errors.email.message) : undefined}
        {...form.register('email')}
      />
      <TextField
        id="support-code"
        label={t('code')}
        hint={t('codeHint')}
        inputMode="numeric"
        autoComplete="off"
        maxLength={12}
        error={errors.code?.message ? tr(errors.code.message) : undefined}
        {...form.register('code')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('verifying')}>
          {t('verify')}
        </Button>
      </div>
    </form>
  );
}

export function VerificationRequestForm() {
  const t = useTranslations('console.support.find');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<VerificationRequestInput>({
    resolver: zodResolver(VerificationRequestSchema),
    defaultValues: { email: '' },
  });
  const { errors } = form.formState;

  const submit = (values: VerificationRequestInput) =>
    startTransition(async () => {
      setMessage(null);
      // Sent: the action redirects to the request's waiting page.
      const result = await callAction(() => sendVerificationRequestAction(values));
      if (result.ok) return;
      if (result.fieldErrors?.email)
        form.setError('email', { message: result.fieldErrors.email }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message, result.values));
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="request-email"
        type="email"
        label={t('email')}
        hint={t('emailHint')}
        autoComplete="off"
        spellCheck={false}
        error={errors.email?.message ? tr(errors.email.message) : undefined}
        {...form.register('email')}
      />
      <div>
        <Button type="submit" variant="secondary" pending={pending} pendingLabel={t('sending')}>
          {t('send')}
        </Button>
      </div>
    </form>
  );
}
