'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import {
  REVEAL_REASONS,
  RevealSchema,
  TICKET_REF_MAX_LENGTH,
  type RevealField,
  type RevealInput,
} from '@/lib/validation/support';

import { revealFieldAction } from './reveal-actions';

/** Only the fields the customer has are offered; the server checks again. */
export function RevealForm({ caseId, fields }: { caseId: string; fields: readonly RevealField[] }) {
  const t = useTranslations('console.support.view');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<RevealInput>({
    resolver: zodResolver(RevealSchema),
    defaultValues: { field: fields[0], reason: '' as RevealInput['reason'], ticketRef: '' },
  });
  const { errors } = form.formState;

  const submit = (values: RevealInput) =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => revealFieldAction(caseId, values));
      if (result.ok) {
        form.reset({ field: values.field, reason: '' as RevealInput['reason'], ticketRef: '' });
        // A plain render of the case: it carries the value and logs it for the customer.
        router.refresh();
        return;
      }
      for (const [field, key] of Object.entries(result.fieldErrors ?? {}))
        if (field === 'field' || field === 'reason' || field === 'ticketRef')
          form.setError(field, { message: key }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message));
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <SelectField
        id="reveal-field"
        label={t('revealField')}
        options={fields.map((f) => ({ value: f, label: t(`fields.${f}`) }))}
        error={errors.field?.message ? tr(errors.field.message) : undefined}
        {...form.register('field')}
      />
      <SelectField
        id="reveal-reason"
        label={t('revealReason')}
        options={[
          { value: '', label: t('chooseReason') },
          ...REVEAL_REASONS.map((r) => ({ value: r, label: t(`reasons.${r}`) })),
        ]}
        error={errors.reason?.message ? tr(errors.reason.message) : undefined}
        {...form.register('reason')}
      />
      <TextField
        id="reveal-ticket"
        label={t('ticketRef')}
        hint={t('ticketRefHint')}
        maxLength={TICKET_REF_MAX_LENGTH * 2}
        autoComplete="off"
        error={errors.ticketRef?.message ? tr(errors.ticketRef.message) : undefined}
        {...form.register('ticketRef')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('revealing')}>
          {t('reveal')}
        </Button>
      </div>
    </form>
  );
}
