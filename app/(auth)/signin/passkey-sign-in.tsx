'use client';

import { useEffect, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useWebAuthnSupport } from '@/components/use-webauthn-support';
import { useTranslations } from '@/lib/i18n/client';

import { finishPasskeySignInAction, startPasskeySignInAction } from './actions';

// The ceremony's code loads after the page, for the autofill request, rather
// than with it (npm run bench -- --only=js).
const loadWebAuthn = () => import('@simplewebauthn/browser');

/**
 * Passkey sign-in: a conditional-mediation request on page load (the browser
 * offers passkeys in the email field's autofill), and a button for browsers
 * without autofill.
 */
export function PasskeySignIn() {
  const t = useTranslations('passkey');
  const tr = useActionMessages();
  const supported = useWebAuthnSupport(false);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  async function ceremony(autofill: boolean) {
    const [{ ceremonyId, options }, webAuthn] = await Promise.all([
      startPasskeySignInAction(),
      loadWebAuthn().catch(() => null),
    ]);
    if (!webAuthn) {
      if (!autofill) setMessage(tr('common.genericError'));
      return;
    }
    let response;
    try {
      response = await webAuthn.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
    } catch (error) {
      // Cancelled, or replaced by the button's ceremony: not an error to show.
      const name = error instanceof Error ? error.name : '';
      if (!autofill && name !== 'AbortError') setMessage(t('cancelled'));
      return;
    }
    const result = await callAction(() => finishPasskeySignInAction({ ceremonyId, response }));
    if (!result.ok) setMessage(tr(result.message ?? 'common.genericError'));
  }

  useEffect(() => {
    let active = true;
    let cancel: (() => void) | undefined;
    void loadWebAuthn()
      .then(async (webAuthn) => {
        cancel = () => webAuthn.WebAuthnAbortService.cancelCeremony();
        if (active && (await webAuthn.browserSupportsWebAuthnAutofill())) void ceremony(true).catch(() => undefined);
      })
      .catch(() => undefined);
    return () => {
      active = false;
      cancel?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per page load
  }, []);

  if (!supported) return null;
  return (
    <div className="mt-6 flex flex-col gap-3">
      <div className="flex items-center gap-3 text-sm text-muted" aria-hidden="true">
        <span className="h-px flex-1 bg-slate-200" />
        {t('or')}
        <span className="h-px flex-1 bg-slate-200" />
      </div>
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <Button
        type="button"
        variant="secondary"
        pending={pending}
        pendingLabel={t('signingIn')}
        onClick={() => {
          setMessage(null);
          startTransition(() => ceremony(false));
        }}
      >
        {t('signIn')}
      </Button>
    </div>
  );
}
