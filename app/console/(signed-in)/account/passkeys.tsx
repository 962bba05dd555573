'use client';

import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useWebAuthnSupport } from '@/components/use-webauthn-support';
import { useTranslations } from '@/lib/i18n/client';

import {
  finishAddStaffPasskeyAction,
  finishStaffStepUpAction,
  removeStaffPasskeyAction,
  startAddStaffPasskeyAction,
  startStaffStepUpAction,
} from './actions';

type Notice = { tone: 'error' | 'success'; text: string } | null;

/** The browser's refusal of a ceremony, as a message. */
function ceremonyError(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return name === 'InvalidStateError' ? 'console.passkey.alreadyRegistered' : 'console.passkey.cancelled';
}

/**
 * "Add a passkey": when the session's last user-verified assertion is older
 * than a few minutes, one of the member's passkeys confirms it first; then
 * the new passkey is created.
 */
export function AddStaffPasskey() {
  const t = useTranslations('console.account');
  const tr = useActionMessages();
  const supported = useWebAuthnSupport(true);
  const [pending, startTransition] = useTransition();
  const [notice, setNotice] = useState<Notice>(null);

  const stepUp = async (): Promise<boolean> => {
    const { ceremonyId, options } = await startStaffStepUpAction();
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options });
    } catch (error) {
      setNotice({ tone: 'error', text: tr(ceremonyError(error)) });
      return false;
    }
    const result = await callAction(() => finishStaffStepUpAction({ ceremonyId, response }));
    if (!result.ok) setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) });
    return result.ok;
  };

  const add = () =>
    startTransition(async () => {
      setNotice(null);
      let start = await callAction(() => startAddStaffPasskeyAction());
      if (!start.ok && start.stepUp) {
        if (!(await stepUp())) return;
        start = await callAction(() => startAddStaffPasskeyAction());
      }
      if (!start.ok) return setNotice({ tone: 'error', text: tr(start.message ?? 'common.genericError') });
      let response;
      try {
        response = await startRegistration({ optionsJSON: start.options });
      } catch (error) {
        return setNotice({ tone: 'error', text: tr(ceremonyError(error)) });
      }
      const result = await callAction(() => finishAddStaffPasskeyAction({ ceremonyId: start.ceremonyId, response }));
      setNotice(
        result.ok
          ? { tone: 'success', text: t('added') }
          : { tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) },
      );
    });

  if (!supported) return <p className="text-sm text-muted">{t('unsupported')}</p>;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-muted">{t('addIntro')}</p>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <div>
        <Button type="button" onClick={add} pending={pending} pendingLabel={t('adding')}>
          {t('add')}
        </Button>
      </div>
    </div>
  );
}

export function StaffPasskeyItem({
  passkey,
  last,
}: {
  passkey: { id: string; name: string; dates: string };
  last: boolean;
}) {
  const t = useTranslations('console.account');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const remove = () => {
    if (!window.confirm(t('removeConfirm', { name: passkey.name }))) return;
    startTransition(async () => {
      const result = await callAction(() => removeStaffPasskeyAction({ passkeyId: passkey.id }));
      setError(result.ok ? null : tr(result.message ?? 'common.genericError'));
    });
  };

  return (
    <li className="flex flex-col gap-3 rounded-lg bg-white p-4 ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="font-medium">{passkey.name}</p>
          <p className="text-sm text-muted">{passkey.dates}</p>
        </div>
        {last ? (
          <p className="text-sm text-muted">{t('lastPasskey')}</p>
        ) : (
          <Button
            type="button"
            variant="secondary"
            onClick={remove}
            pending={pending}
            pendingLabel={t('removing')}
            aria-label={t('removeLabel', { name: passkey.name })}
          >
            {t('remove')}
          </Button>
        )}
      </div>
      {error && <Alert tone="error">{error}</Alert>}
    </li>
  );
}
