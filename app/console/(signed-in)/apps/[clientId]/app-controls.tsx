'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import type { ActionFailure } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';

import {
  grantDatabaseRoleAction,
  revokeDatabaseRoleAction,
  rotateClientSecretAction,
  rotateWebhookSecretAction,
  setAppDisabledAction,
} from '../actions';
import { ConfirmDialog, SecretDialog } from '../dialogs';

type Step = 'rotate' | 'rotateWebhook' | 'disable' | 'enable' | 'grantDb' | 'revokeDb';

type Props = { clientId: string; disabled: boolean; hasWebhook: boolean; dbRole: string | null };

/** Rotations, disable/enable and database access: each confirmed first; a new secret shown once. */
export function AppControls({ clientId, disabled, hasWebhook, dbRole }: Props) {
  const t = useTranslations('console.apps.detail');
  const tr = useActionMessages();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState<Step | null>(null);
  const [shown, setShown] = useState<{ step: Step; secret: string } | null>(null);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);

  const run = (step: Step) =>
    startTransition(async () => {
      setNotice(null);
      const input = { clientId };
      const result = await callAction<{ ok: true; secret?: string } | ActionFailure>(() => {
        switch (step) {
          case 'rotate':
            return rotateClientSecretAction(input);
          case 'rotateWebhook':
            return rotateWebhookSecretAction(input);
          case 'grantDb':
            return grantDatabaseRoleAction(input);
          case 'revokeDb':
            return revokeDatabaseRoleAction(input);
          default:
            return setAppDisabledAction({ clientId, disabled: step === 'disable' });
        }
      });
      setConfirming(null);
      if (!result.ok) {
        setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError', result.values) });
        return;
      }
      if (result.secret) setShown({ step, secret: result.secret });
      else setNotice({ tone: 'success', text: t(`done.${step as 'disable'}`) });
      router.refresh();
    });

  const ask = (step: Step) => {
    setNotice(null);
    setConfirming(step);
  };

  return (
    <div className="flex flex-col gap-4">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      <div className="flex flex-wrap gap-3">
        <Button type="button" variant="secondary" onClick={() => ask('rotate')}>
          {t('rotate')}
        </Button>
        {hasWebhook && (
          <Button type="button" variant="secondary" onClick={() => ask('rotateWebhook')}>
            {t('rotateWebhook')}
          </Button>
        )}
        {!disabled && (
          <Button type="button" variant="secondary" onClick={() => ask('grantDb')}>
            {dbRole ? t('regrantDb') : t('grantDb')}
          </Button>
        )}
        {dbRole && (
          <Button type="button" variant="secondary" onClick={() => ask('revokeDb')}>
            {t('revokeDb')}
          </Button>
        )}
        {disabled ? (
          <Button type="button" onClick={() => ask('enable')}>
            {t('enable')}
          </Button>
        ) : (
          <Button type="button" variant="danger" onClick={() => ask('disable')}>
            {t('disable')}
          </Button>
        )}
      </div>
      {confirming && (
        <ConfirmDialog
          title={t(`confirm.${confirming}.title`)}
          body={t(`confirm.${confirming}.body`)}
          confirmLabel={t(`confirm.${confirming}.action`)}
          danger={confirming === 'disable' || confirming === 'revokeDb'}
          pending={pending}
          onConfirm={() => run(confirming)}
          onCancel={() => setConfirming(null)}
        />
      )}
      {shown && (
        <SecretDialog
          title={t(`secret.${shown.step}.title`)}
          secrets={[{ label: t(`secret.${shown.step}.label`), value: shown.secret }]}
          onClose={() => setShown(null)}
        />
      )}
    </div>
  );
}
