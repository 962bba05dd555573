'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

import { useStepUp } from '@/app/account/step-up';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useWebAuthnSupport } from '@/components/use-webauthn-support';
import { useTranslations } from '@/lib/i18n/client';

import { finishAddPasskeyAction, startAddPasskeyAction } from './actions';

/** "Add a passkey": asks for step-up first when the sign-in is not recent, then runs the ceremony. */
export function AddPasskeyButton({
  hasPasskey,
  label,
  continueTo,
}: {
  hasPasskey: boolean;
  label?: string;
  continueTo?: string;
}) {
  const router = useRouter();
  const t = useTranslations('security');
  const tr = useActionMessages();
  const supported = useWebAuthnSupport(true);
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp(hasPasskey);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);

  const add = () =>
    startTransition(async () => {
      setNotice(null);
      const start = await startAddPasskeyAction();
      if (stepUp.needed(start, add)) return;
      if (!start.ok) return setNotice({ tone: 'error', text: tr(start.message ?? 'common.genericError') });
      // The ceremony's code loads when the button is pressed, not with the page (npm run bench -- --only=js).
      const webAuthn = await import('@simplewebauthn/browser').catch(() => null);
      if (!webAuthn) return setNotice({ tone: 'error', text: tr('common.genericError') });
      let response;
      try {
        response = await webAuthn.startRegistration({ optionsJSON: start.options });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        setNotice({ tone: 'error', text: name === 'InvalidStateError' ? t('alreadyRegistered') : t('addCancelled') });
        return;
      }
      const result = await callAction(() => finishAddPasskeyAction({ ceremonyId: start.ceremonyId, response }));
      if (stepUp.needed(result, add)) return;
      if (result.ok) {
        setNotice({ tone: 'success', text: t('added') });
        if (continueTo) router.push(continueTo);
      } else setNotice({ tone: 'error', text: tr(result.message ?? 'common.genericError') });
    });

  if (!supported) return <p className="text-sm text-muted">{t('unsupported')}</p>;
  return (
    <div className="flex flex-col gap-3">
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {stepUp.open ? (
        stepUp.panel
      ) : (
        <div>
          <Button type="button" onClick={add} pending={pending} pendingLabel={t('adding')}>
            {label ?? t('addPasskey')}
          </Button>
        </div>
      )}
    </div>
  );
}
