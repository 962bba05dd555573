'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { FindCustomerSchema, REASON_MAX_LENGTH, type FindCustomerInput } from '@/lib/validation/data-request';

import { findCustomerAction } from './actions';

export function FindCustomerForm() {
  const t = useTranslations('console.customers');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<FindCustomerInput>({
    resolver: zodResolver(FindCustomerSchema),
    defaultValues: { email: '', reason: '' },
  });
  const { errors } = form.formState;

  const submit = (values: FindCustomerInput) =>
    startTransition(async () => {
      setMessage(null);
      // Found: the action redirects to the customer's page.
      const result = await callAction(() => findCustomerAction(values));
      if (result.ok) return;
      for (const [field, key] of Object.entries(result.fieldErrors ?? {}))
        if (field === 'email' || field === 'reason') form.setError(field, { message: key }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message));
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="find-email"
        type="email"
        label={t('email')}
        hint={t('emailHint')}
        autoComplete="off"
        spellCheck={false}
        error={errors.email?.message ? tr(errors.email.message) : undefined}
        {...form.register('email')}
      />
      <TextField
        id="find-reason"
        label={t('reason')}
        hint={t('reasonHint')}
        maxLength={REASON_MAX_LENGTH * 2}
        autoComplete="off"
        error={errors.reason?.message ? tr(errors.reason.message) : undefined}
        {...form.register('reason')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('finding')}>
          {t('find')}
        </Button>
      </div>
    </form>
  );
}
