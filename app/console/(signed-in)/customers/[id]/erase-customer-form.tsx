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
  EraseCustomerSchema,
  REASON_MAX_LENGTH,
  REQUEST_REFERENCE_MAX_LENGTH,
  type EraseCustomerInput,
} from '@/lib/validation/data-request';

import { eraseCustomerAction } from '../actions';

const FIELDS = ['reason', 'requestReference', 'confirmation'] as const;

/** Erasure: opened on purpose, then a reason, the request's reference and the customer's address typed again. */
export function EraseCustomerForm({ customerId }: { customerId: string }) {
  const t = useTranslations('console.customers.erase');
  const tc = useTranslations('console.customers');
  const tr = useActionMessages();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<EraseCustomerInput>({
    resolver: zodResolver(EraseCustomerSchema),
    defaultValues: { reason: '', requestReference: '', confirmation: '' },
  });
  const { errors } = form.formState;
  const error = (field: (typeof FIELDS)[number]) => {
    const key = errors[field]?.message;
    return key ? tr(key) : undefined;
  };

  const submit = (values: EraseCustomerInput) =>
    startTransition(async () => {
      setMessage(null);
      // Done: the action redirects to the customers page, which says so.
      const result = await callAction(() => eraseCustomerAction(customerId, values));
      if (result.ok) return;
      for (const field of FIELDS) {
        const key = result.fieldErrors?.[field];
        if (key) form.setError(field, { message: key }, { shouldFocus: true });
      }
      if (result.message) setMessage(tr(result.message));
    });

  if (!open) {
    return (
      <div>
        <Button type="button" variant="danger" onClick={() => setOpen(true)}>
          {t('start')}
        </Button>
      </div>
    );
  }
  return (
    <form
      method="post"
      onSubmit={form.handleSubmit(submit)}
      noValidate
      className="flex max-w-xl flex-col gap-4 rounded-xl border-2 border-red-700 bg-white p-5"
    >
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="erase-reason"
        label={tc('reason')}
        hint={tc('reasonHint')}
        maxLength={REASON_MAX_LENGTH * 2}
        autoComplete="off"
        error={error('reason')}
        {...form.register('reason')}
      />
      <TextField
        id="erase-reference"
        label={t('reference')}
        hint={t('referenceHint')}
        maxLength={REQUEST_REFERENCE_MAX_LENGTH * 2}
        autoComplete="off"
        spellCheck={false}
        error={error('requestReference')}
        {...form.register('requestReference')}
      />
      <TextField
        id="erase-confirmation"
        type="email"
        label={t('confirmation')}
        hint={t('confirmationHint')}
        autoComplete="off"
        spellCheck={false}
        error={error('confirmation')}
        {...form.register('confirmation')}
      />
      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="danger" pending={pending} pendingLabel={t('pending')}>
          {t('submit')}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          {t('cancel')}
        </Button>
      </div>
    </form>
  );
}
