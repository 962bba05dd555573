'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useLocale, useTranslations } from '@/lib/i18n/client';
import {
  PREVIEW_REASON_MAX_LENGTH,
  PreviewCustomerSchema,
  type PreviewCustomerInput,
} from '@/lib/validation/content-publish';

import { previewCustomerAction } from './actions';

/** Exact address (or the estimate's sample token) and a reason; the preview renders below. */
export function PreviewCustomerForm({ sample, draft }: { sample: string | null; draft: string | null }) {
  const t = useTranslations('console.content.preview');
  const tr = useActionMessages();
  const locale = useLocale() === 'fr' ? 'fr' : 'en';
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const [view, setView] = useState<ReactNode>(null);
  const form = useForm<PreviewCustomerInput>({
    resolver: zodResolver(PreviewCustomerSchema),
    defaultValues: { email: '', reason: '', locale, ...(sample ? { sample } : {}), ...(draft ? { draft } : {}) },
  });
  const { errors } = form.formState;

  const submit = (values: PreviewCustomerInput) =>
    startTransition(async () => {
      setMessage(null);
      setView(null);
      const result = await callAction(() => previewCustomerAction(values));
      if (result.ok) {
        setView(result.view);
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {}))
        if (field === 'email' || field === 'reason') form.setError(field, { message: key }, { shouldFocus: true });
        else setMessage(tr(key));
      if (result.message) setMessage(tr(result.message, result.values));
    });

  return (
    <div className="flex flex-col gap-8">
      <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
        <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
        {sample ? (
          <p className="rounded-lg bg-white p-3 ring-1 ring-slate-200">{t('fromSample')}</p>
        ) : (
          <TextField
            id="preview-email"
            type="email"
            label={t('email')}
            hint={t('emailHint')}
            autoComplete="off"
            spellCheck={false}
            error={errors.email?.message ? tr(errors.email.message) : undefined}
            {...form.register('email')}
          />
        )}
        <TextField
          id="preview-reason"
          label={t('reason')}
          hint={t('reasonHint')}
          maxLength={PREVIEW_REASON_MAX_LENGTH * 2}
          autoComplete="off"
          error={errors.reason?.message ? tr(errors.reason.message) : undefined}
          {...form.register('reason')}
        />
        <div>
          <Button type="submit" pending={pending} pendingLabel={t('previewing')}>
            {t('preview')}
          </Button>
        </div>
      </form>
      <div aria-live="polite">{view}</div>
    </div>
  );
}
