'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';
import type * as z from 'zod/mini';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { RecoveryCodeSchema, StartRecoverySchema, type RecoveryProof } from '@/lib/validation/support-recovery';

import {
  cancelRecoveryAction,
  proveRecoveryAction,
  sendRecoveryCodeAction,
  startRecoveryAction,
} from './recovery-actions';

export function StartRecoveryForm({ caseId }: { caseId: string }) {
  const t = useTranslations('console.support.recovery');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<z.input<typeof StartRecoverySchema>>({
    resolver: zodResolver(StartRecoverySchema),
    defaultValues: { newEmail: '' },
  });
  const error = form.formState.errors.newEmail?.message;

  const submit = (values: z.input<typeof StartRecoverySchema>) =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => startRecoveryAction(caseId, values));
      if (result.ok) return form.reset();
      if (result.fieldErrors?.newEmail)
        form.setError('newEmail', { message: result.fieldErrors.newEmail }, { shouldFocus: true });
      if (result.message) setMessage(tr(result.message));
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-3">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <TextField
        id="recovery-new-email"
        type="email"
        label={t('newEmail')}
        autoComplete="off"
        spellCheck={false}
        error={error ? tr(error) : undefined}
        {...form.register('newEmail')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('start')}>
          {t('start')}
        </Button>
      </div>
    </form>
  );
}

export function ProveRecoveryForm({
  caseId,
  recoveryId,
  proof,
}: {
  caseId: string;
  recoveryId: string;
  proof: RecoveryProof;
}) {
  const t = useTranslations('console.support.recovery');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const form = useForm<z.input<typeof RecoveryCodeSchema>>({
    resolver: zodResolver(RecoveryCodeSchema),
    defaultValues: { code: '' },
  });
  const error = form.formState.errors.code?.message;
  const id = `recovery-${proof}-code`;

  const submit = (values: z.input<typeof RecoveryCodeSchema>) =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => proveRecoveryAction(caseId, recoveryId, proof, values));
      if (result.ok) return form.reset();
      if (result.fieldErrors?.code)
        form.setError('code', { message: tr(result.fieldErrors.code, result.values) }, { shouldFocus: true });
      if (result.message) setMessage({ tone: 'error', text: tr(result.message) });
    });

  const send = () =>
    startTransition(async () => {
      const result = await callAction(() => sendRecoveryCodeAction(caseId, recoveryId));
      setMessage(
        result.ok
          ? { tone: 'success', text: t('sent') }
          : { tone: 'error', text: tr(result.message ?? 'common.genericError') },
      );
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-3">
      <div aria-live="polite">{message && <Alert tone={message.tone}>{message.text}</Alert>}</div>
      {proof === 'phone-code' && (
        <div>
          <Button type="button" variant="secondary" onClick={send} pending={pending} pendingLabel={t('sendCode')}>
            {t('sendCode')}
          </Button>
        </div>
      )}
      <TextField
        id={id}
        label={t('code')}
        inputMode="numeric"
        autoComplete="off"
        maxLength={7}
        error={error ? (error.startsWith('console.') || error.startsWith('code.') ? tr(error) : error) : undefined}
        {...form.register('code')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('prove')}>
          {t('prove')}
        </Button>
      </div>
    </form>
  );
}

export function CancelRecoveryButton({ caseId }: { caseId: string }) {
  const t = useTranslations('console.support.recovery');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const cancel = () =>
    startTransition(async () => {
      setMessage(null);
      const result = await callAction(() => cancelRecoveryAction(caseId));
      if (!result.ok) setMessage(tr(result.message ?? 'common.genericError'));
    });
  return (
    <div className="flex flex-col gap-2">
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <div>
        <Button type="button" variant="secondary" onClick={cancel} pending={pending} pendingLabel={t('cancel')}>
          {t('cancel')}
        </Button>
      </div>
    </div>
  );
}
