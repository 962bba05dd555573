'use client';

import { useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { deletePasskeyAction, renamePasskeyAction } from './actions';

export type PasskeyItemProps = { id: string; name: string; created: string; lastUsed: string };

export function PasskeyItem({ passkey, onDeleted }: { passkey: PasskeyItemProps; onDeleted: () => void }) {
  const t = useTranslations('security');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [error, setError] = useState<string | null>(null);
  // Only a customer with a passkey sees this item: the panel offers it.
  const stepUp = useStepUp(true);

  const rename = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      const result = await callAction(() => renamePasskeyAction({ passkeyId: passkey.id, name }));
      if (result.ok) {
        setRenaming(false);
        setError(null);
      } else setError(tr(result.fieldErrors?.name ?? result.message ?? 'common.genericError'));
    });
  };

  const remove = () =>
    startTransition(async () => {
      const result = await callAction(() => deletePasskeyAction({ passkeyId: passkey.id }));
      if (result.ok) return onDeleted();
      if (stepUp.needed(result, remove)) return;
      setError(tr(result.message ?? 'common.genericError'));
    });

  const confirmRemove = () => {
    if (window.confirm(t('deleteConfirm', { name: passkey.name }))) remove();
  };

  return (
    <li className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      {renaming ? (
        <form onSubmit={rename} className="flex flex-col gap-3" noValidate>
          <TextField
            id={`rename-${passkey.id}`}
            label={t('passkeyName')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={error ?? undefined}
            autoFocus
            maxLength={80}
          />
          <div className="flex gap-3">
            <Button type="submit" pending={pending}>
              {t('save')}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setRenaming(false)}>
              {t('cancel')}
            </Button>
          </div>
        </form>
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div>
            <p className="font-semibold">{passkey.name}</p>
            <p className="text-sm text-muted">
              {t('passkeyMeta', { created: passkey.created, lastUsed: passkey.lastUsed })}
            </p>
          </div>
          <div className="flex gap-2">
            <Button
              type="button"
              variant="secondary"
              onClick={() => setRenaming(true)}
              aria-label={t('renameLabel', { name: passkey.name })}
            >
              {t('rename')}
            </Button>
            <Button
              type="button"
              variant="secondary"
              onClick={confirmRemove}
              pending={pending}
              aria-label={t('deleteLabel', { name: passkey.name })}
            >
              {t('delete')}
            </Button>
          </div>
        </div>
      )}
      {!renaming && error && <Alert tone="error">{error}</Alert>}
      {stepUp.panel}
    </li>
  );
}
