'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { AppSignInSchema, type AppSignInInput } from '@/lib/validation/app';

import { updateAppSignInAction } from '../actions';
import { SignInFields, type SignInForm } from '../sign-in-fields';

const FIELDS = [
  'redirectUris',
  'postLogoutRedirectUris',
  'clientType',
  'oidcScopes',
  'requiredClaims',
  'optionalClaims',
  'backchannelLogoutUri',
] as const;

/** Changes an app's sign-in settings; the app's page shows the saved ones. */
export function SignInSettingsForm({ values }: { values: AppSignInInput }) {
  const t = useTranslations('console.apps.detail');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const form = useForm<AppSignInInput>({ resolver: zodResolver(AppSignInSchema), defaultValues: values });

  const onSubmit = form.handleSubmit((input) =>
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => updateAppSignInAction(input));
      if (result.ok) return setNotice({ tone: 'success', text: t('signInSaved') });
      let focused = false;
      for (const [field, key] of Object.entries(result.fieldErrors ?? {})) {
        if (!(FIELDS as readonly string[]).includes(field)) continue;
        form.setError(field as (typeof FIELDS)[number], { message: key }, { shouldFocus: !focused });
        focused = true;
      }
      if (result.message || !focused)
        setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) });
    }),
  );

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="flex flex-col gap-6" aria-label={t('signInForm')}>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <SignInFields form={form as unknown as SignInForm} error={(key) => (key ? tr(key) : undefined)} />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('signInSaving')}>
          {t('signInSave')}
        </Button>
      </div>
    </form>
  );
}
