'use client';

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useEffect, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useWebAuthnSupport } from '@/components/use-webauthn-support';
import type { ActionResult } from '@/lib/action-result';
import { useTranslations } from '@/lib/i18n/client';

type Props = {
  /** Server action: options for an assertion with any passkey of this site (discoverable credentials). */
  start: () => Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }>;
  /** Server action: verifies the assertion and signs in (it redirects), or says why not. */
  finish: (input: { ceremonyId: string; response: unknown }) => Promise<ActionResult>;
  /** Where the texts live: `signIn`, `signingIn`, `or`, `cancelled`. */
  messages?: 'passkey' | 'console.signIn';
  /** The "or" rule above the button, when another way to sign in precedes it. */
  divider?: boolean;
};

// The ceremony's code loads after the page, for the autofill request, rather
// than with it (npm run bench -- --only=js).
const loadWebAuthn = () => import('@simplewebauthn/browser');

/**
 * Passkey sign-in: a conditional-mediation request on page load (the browser
 * offers passkeys in the autofill of the page's `autocomplete="… webauthn"`
 * field), and a button for browsers without autofill.
 */
export function PasskeySignIn({ start, finish, messages = 'passkey', divider = true }: Props) {
  const t = useTranslations(messages);
  const tr = useActionMessages();
  const supported = useWebAuthnSupport(false);
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  async function ceremony(autofill: boolean) {
    const [{ ceremonyId, options }, webAuthn] = await Promise.all([start(), loadWebAuthn().catch(() => null)]);
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
    const result = await callAction(() => finish({ ceremonyId, response }));
    if (!result.ok) setMessage(tr(result.message ?? 'common.genericError', result.values));
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
    <div className={`${divider ? 'mt-6' : ''} flex flex-col gap-3`}>
      {divider && (
        <div className="flex items-center gap-3 text-sm text-muted" aria-hidden="true">
          <span className="h-px flex-1 bg-slate-200" />
          {t('or')}
          <span className="h-px flex-1 bg-slate-200" />
        </div>
      )}
      <div aria-live="assertive">{message && <Alert tone="error">{message}</Alert>}</div>
      <Button
        type="button"
        variant={divider ? 'secondary' : 'primary'}
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
