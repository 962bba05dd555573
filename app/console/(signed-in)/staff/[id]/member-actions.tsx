'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useLocale, useTranslations } from '@/lib/i18n/client';

import { reinviteStaffAction, removeStaffPasskeyAction, setStaffDisabledAction } from '../actions';

type Notice = { tone: 'error' | 'success'; text: string } | null;

/** Disable or enable (confirmed first), and a new invitation for a lost passkey. */
export function MemberStatusActions({
  staffId,
  name,
  version,
  disabled,
  isSelf,
  invitation,
}: {
  staffId: string;
  name: string;
  version: number;
  disabled: boolean;
  isSelf: boolean;
  /** When the open invitation expires, formatted; null when none is open. */
  invitation: string | null;
}) {
  const t = useTranslations('console');
  const tr = useActionMessages();
  const locale = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [inviting, startInvite] = useTransition();
  const [notice, setNotice] = useState<Notice>(null);

  const toggle = () => {
    if (!disabled && !window.confirm(t('staff.disableConfirm', { name }))) return;
    startTransition(async () => {
      setNotice(null);
      const result = await callAction(() => setStaffDisabledAction({ staffId, version }, !disabled));
      if (result.ok) {
        setNotice({ tone: 'success', text: t(disabled ? 'staff.enabled' : 'staff.disabled', { name }) });
        router.refresh();
      } else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });
  };

  const reinvite = () =>
    startInvite(async () => {
      setNotice(null);
      const result = await callAction(() => reinviteStaffAction({ staffId }));
      if (result.ok) {
        const expiry = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
          new Date(result.expiresAt),
        );
        setNotice({ tone: 'success', text: t(`staff.invited.${result.mail}`, { expiry }) });
        router.refresh();
      } else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  return (
    <div className="flex flex-col gap-4">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <p className="text-muted">
        {disabled
          ? t('staff.disabledHint')
          : invitation
            ? t('staff.invitationOpen', { expiry: invitation })
            : t('staff.reinviteHint')}
      </p>
      <div className="flex flex-wrap gap-3">
        {!disabled && (
          <Button
            type="button"
            variant="secondary"
            onClick={reinvite}
            pending={inviting}
            pendingLabel={t('staff.inviting')}
          >
            {t('staff.reinvite')}
          </Button>
        )}
        {isSelf ? (
          <p className="text-sm text-muted">{t('staff.selfHint')}</p>
        ) : (
          <Button
            type="button"
            variant={disabled ? 'primary' : 'danger'}
            onClick={toggle}
            pending={pending}
            pendingLabel={t('staff.saving')}
          >
            {disabled ? t('staff.enable') : t('staff.disable')}
          </Button>
        )}
      </div>
    </div>
  );
}

export function RemovePasskeyButton({
  staffId,
  passkeyId,
  name,
}: {
  staffId: string;
  passkeyId: string;
  name: string;
}) {
  const t = useTranslations('console');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const remove = () => {
    if (!window.confirm(t('staff.removePasskeyConfirm', { name }))) return;
    startTransition(async () => {
      const result = await callAction(() => removeStaffPasskeyAction({ staffId, passkeyId }));
      if (result.ok) router.refresh();
      else setError(tr(result.message ?? 'common.genericError'));
    });
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        type="button"
        variant="secondary"
        onClick={remove}
        pending={pending}
        aria-label={t('staff.removePasskeyLabel', { name })}
      >
        {t('staff.removePasskey')}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}
