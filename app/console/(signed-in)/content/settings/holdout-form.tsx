'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import { PUBLICATION_NOTE_MAX_LENGTH } from '@/lib/validation/content-publish';

import { saveHoldoutAction } from './actions';

/** The holdout percentage, saved as a settings revision and published against what the page loaded. */
export function HoldoutForm({
  holdoutPercent,
  expectedLatestRevisionId,
  expectedLiveRevisionId,
}: {
  holdoutPercent: number;
  expectedLatestRevisionId: string | null;
  expectedLiveRevisionId: string | null;
}) {
  const t = useTranslations('console.content.settings');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [value, setValue] = useState(String(holdoutPercent));
  const [note, setNote] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      setMessage(null);
      setFieldError(null);
      // A number the server checks again (0–50, whole); anything else is sent as typed and refused there.
      const holdoutPercent = /^\s*\d+\s*$/.test(value) ? Number(value) : value;
      const result = await callAction(() =>
        saveHoldoutAction({
          holdoutPercent,
          expectedLatestRevisionId,
          expectedLiveRevisionId,
          note: note || undefined,
        }),
      );
      if (result.ok) {
        const status = 'status' in result ? result.status : 'applied';
        setMessage({ tone: 'success', text: t(status === 'pending' ? 'savedPending' : 'saved') });
        router.refresh();
        return;
      }
      if (result.fieldErrors?.holdoutPercent) setFieldError(tr(result.fieldErrors.holdoutPercent));
      const other = result.message ?? result.fieldErrors?.note ?? result.fieldErrors?.form;
      if (other) setMessage({ tone: 'error', text: tr(other, result.values) });
    });
  };

  return (
    <form method="post" onSubmit={submit} noValidate className="flex max-w-xl flex-col gap-4">
      <div aria-live="assertive">{message && <Alert tone={message.tone}>{message.text}</Alert>}</div>
      <TextField
        id="holdout-percent"
        label={t('holdoutLabel')}
        hint={t('holdoutHint')}
        inputMode="numeric"
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        error={fieldError ?? undefined}
      />
      <TextField
        id="holdout-note"
        label={t('note')}
        maxLength={PUBLICATION_NOTE_MAX_LENGTH}
        autoComplete="off"
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <div>
        <Button type="submit" pending={pending} pendingLabel={t('saving')}>
          {t('save')}
        </Button>
      </div>
    </form>
  );
}
