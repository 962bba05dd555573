'use client';

import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { brand } from '@/lib/brand';
import { useTranslations } from '@/lib/i18n/client';
import type { CompleteOnboardingInput } from '@/lib/validation/onboarding';

import { completeOnboardingAction } from './actions';

const check = lazyZodResolver(() => import('@/lib/validation/onboarding').then((m) => m.CompleteOnboardingSchema));

export function WelcomeForm({ termsVersion }: { termsVersion: number }) {
  const t = useTranslations('welcome');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<CompleteOnboardingInput>({
    resolver: check.resolver,
    defaultValues: { firstName: '', acceptTerms: false as unknown as true },
  });
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit((values) => {
    setMessage(null);
    startTransition(async () => {
      const result = await callAction(() => completeOnboardingAction({ ...values, termsVersion }));
      if (result.ok) return;
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if (field === 'firstName' || field === 'acceptTerms')
          form.setError(field, { message: key }, { shouldFocus: true });
      }
      if (result.message) setMessage(tr(result.message, result.values));
    });
  });

  const termsError = errors.acceptTerms?.message;
  const link = (href: string) =>
    function LegalLink(chunks: React.ReactNode) {
      return (
        <a href={href} target="_blank" rel="noopener" className="font-medium text-brand underline underline-offset-4">
          {chunks}
        </a>
      );
    };

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
        id="firstName"
        label={t('firstNameLabel')}
        autoComplete="given-name"
        autoFocus
        error={errors.firstName?.message ? tr(errors.firstName.message) : undefined}
        {...form.register('firstName')}
      />
      <div className="flex flex-col gap-1.5">
        <div className="flex items-start gap-3">
          <input
            id="acceptTerms"
            type="checkbox"
            className="mt-1 size-5 shrink-0 accent-brand"
            aria-invalid={termsError ? true : undefined}
            aria-describedby={termsError ? 'acceptTerms-error' : undefined}
            {...form.register('acceptTerms')}
          />
          <label htmlFor="acceptTerms">
            {t.rich('acceptTerms', { terms: link(brand.termsUrl), privacy: link(brand.privacyUrl) })}
          </label>
        </div>
        {termsError && (
          <p id="acceptTerms-error" className="text-sm font-medium text-red-700">
            {tr(termsError)}
          </p>
        )}
      </div>
      <Button type="submit" pending={pending} pendingLabel={t('submitting')}>
        {t('submit')}
      </Button>
    </form>
  );
}
