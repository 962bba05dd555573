'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { CASE_NOTE_MAX_LENGTH, CaseNoteSchema, type CaseNoteInput } from '@/lib/validation/support-case';

import { addCaseNoteAction, closeCaseAction } from '../../actions';

export function CaseNoteForm({ caseId }: { caseId: string }) {
  const t = useTranslations('console.support.case');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<CaseNoteInput>({ resolver: zodResolver(CaseNoteSchema), defaultValues: { body: '' } });
  const error = form.formState.errors.body?.message;

  const submit = (values: CaseNoteInput) =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => addCaseNoteAction(caseId, values));
      if (result.ok) {
        form.reset();
        return;
      }
      if (result.fieldErrors?.body) form.setError('body', { message: result.fieldErrors.body }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message));
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-3">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <label htmlFor="case-note" className="font-medium">
        {t('noteLabel')}
      </label>
      <textarea
        id="case-note"
        rows={4}
        maxLength={CASE_NOTE_MAX_LENGTH}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'case-note-error' : undefined}
        className="rounded-lg border border-slate-400 bg-white px-3 py-2 text-base aria-[invalid=true]:border-red-700"
        {...form.register('body')}
      />
      {error && (
        <p id="case-note-error" className="text-sm font-medium text-red-700">
          {tr(error)}
        </p>
      )}
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('saving')}>
          {t('addNote')}
        </Button>
      </div>
    </form>
  );
}

export function CloseCaseButton({ caseId }: { caseId: string }) {
  const t = useTranslations('console.support.case');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  const close = () =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => closeCaseAction(caseId));
      if (!result.ok) setMessage(tr(result.message ?? 'common.genericError'));
    });

  return (
    <div className="flex flex-col gap-3">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <div>
        <Button type="button" variant="secondary" onClick={close} pending={pending} pendingLabel={t('closing')}>
          {t('close')}
        </Button>
      </div>
    </div>
  );
}
