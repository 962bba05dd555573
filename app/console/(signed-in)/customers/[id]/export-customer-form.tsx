'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { ExportCustomerSchema, REASON_MAX_LENGTH, type ExportCustomerInput } from '@/lib/validation/data-request';

/** The file's name from Content-Disposition (ours: a plain quoted ASCII name). */
function fileNameOf(response: Response): string {
  return /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'accord-data.json';
}

/**
 * Posts the reason to the export route (a route handler: its answer is the
 * file) and saves what comes back; refusals come back as problem details.
 */
export function ExportCustomerForm({ customerId }: { customerId: string }) {
  const t = useTranslations('console.customers.export');
  const tc = useTranslations('console.customers');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const form = useForm<ExportCustomerInput>({
    resolver: zodResolver(ExportCustomerSchema),
    defaultValues: { reason: '' },
  });
  const reasonError = form.formState.errors.reason?.message;

  const submit = (values: ExportCustomerInput) =>
    startTransition(async () => {
      setMessage(null);
      try {
        const response = await fetch(`/console/customers/${encodeURIComponent(customerId)}/export`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(values),
        });
        if (response.ok) {
          const url = URL.createObjectURL(await response.blob());
          const anchor = document.createElement('a');
          anchor.href = url;
          anchor.download = fileNameOf(response);
          anchor.click();
          URL.revokeObjectURL(url);
          form.reset();
          setMessage({ tone: 'success', text: t('done') });
          return;
        }
        const body = (await response.json().catch(() => ({}))) as { fieldErrors?: Record<string, string> };
        if (response.status === 400 && body.fieldErrors?.reason) {
          form.setError('reason', { message: body.fieldErrors.reason }, { shouldFocus: true });
          return;
        }
        const key = response.status === 404 ? 'notFound' : null;
        setMessage({
          tone: 'error',
          text: key ? t(key) : response.status === 403 ? tr('console.forbidden.body') : tr('common.genericError'),
        });
      } catch {
        setMessage({ tone: 'error', text: tr('common.genericError') });
      }
    });

  return (
    <form method="post" onSubmit={form.handleSubmit(submit)} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="polite">{message && <Alert tone={message.tone}>{message.text}</Alert>}</div>
      <TextField
        id="export-reason"
        label={tc('reason')}
        hint={tc('reasonHint')}
        maxLength={REASON_MAX_LENGTH * 2}
        autoComplete="off"
        error={reasonError ? tr(reasonError) : undefined}
        {...form.register('reason')}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('pending')}>
          {t('submit')}
        </Button>
      </div>
    </form>
  );
}
