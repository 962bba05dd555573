'use client';

import { useMemo, useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { useStepUp } from '@/app/account/step-up';
import { lazyZodResolver } from '@/components/lazy-zod-resolver';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { DeleteAccountInput } from '@/lib/validation/account-deletion';

import { deleteAccountAction } from './actions';

/** Deletion: a typed confirmation (the email address), then step-up if the sign-in is not recent. */
export function DeleteAccount({ email, hasPasskey }: { email: string; hasPasskey: boolean }) {
  const t = useTranslations('deletion');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [open, setOpen] = useState(false);
  const stepUp = useStepUp(hasPasskey);
  const [message, setMessage] = useState<string | null>(null);
  const check = useMemo(
    () => lazyZodResolver(() => import('@/lib/validation/account-deletion').then((m) => m.deleteAccountSchema(email))),
    [email],
  );
  const form = useForm<DeleteAccountInput>({ resolver: check.resolver, defaultValues: { confirmation: '' } });
  const error = form.formState.errors.confirmation?.message;

  const submit = (values: DeleteAccountInput) =>
    startTransition(async () => {
      setMessage(null);
      // Succeeds by redirecting to /account-deleted.
      const result = await callAction(() => deleteAccountAction(values));
      if (result.ok || stepUp.needed(result, () => submit(form.getValues()))) return;
      if (result.fieldErrors?.confirmation)
        form.setError('confirmation', { message: result.fieldErrors.confirmation }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message));
    });

  if (!open) {
    return (
      <div>
        <Button
          type="button"
          variant="danger"
          onClick={() => {
            check.preload();
            setOpen(true);
          }}
        >
          {t('start')}
        </Button>
      </div>
    );
  }
  if (stepUp.open) return stepUp.panel;
  return (
    <form
      method="post"
      onSubmit={form.handleSubmit(submit)}
      onFocus={check.preload}
      onInput={check.preload}
      noValidate
      className="flex flex-col gap-4 rounded-xl border-2 border-red-700 bg-white p-5"
    >
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="delete-confirmation"
        label={t('confirmLabel', { email })}
        autoComplete="off"
        spellCheck={false}
        error={error ? tr(error) : undefined}
        {...form.register('confirmation')}
      />
      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="danger" pending={pending} pendingLabel={t('deleting')}>
          {t('submit')}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          {t('cancel')}
        </Button>
      </div>
    </form>
  );
}
