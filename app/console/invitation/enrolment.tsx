'use client';

import { startRegistration } from '@simplewebauthn/browser';
import Link from 'next/link';
import { useEffect, useRef, useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

import { checkInvitationAction, finishEnrolmentAction, startEnrolmentAction } from './actions';

type State =
  | { step: 'checking' }
  | { step: 'refused'; message: string }
  | { step: 'ready'; displayName: string; error: string | null };

/**
 * Reads the token from the link's fragment (never sent to a server by the
 * browser, so no log, Referer or link scanner sees it), clears it from the
 * address bar and history, then creates the passkey.
 */
export function Enrolment() {
  const t = useTranslations('console.invitation');
  const tp = useTranslations('console.passkey');
  const tr = useActionMessages();
  const token = useRef<string | null>(null);
  const [state, setState] = useState<State>({ step: 'checking' });
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    // Kept in a ref: the fragment is gone after the first run (React runs effects twice in development).
    if (token.current === null) {
      token.current = window.location.hash.slice(1);
      if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
    }
    // Another invitation link pasted into this tab changes only the fragment: start over with it.
    const reload = () => window.location.reload();
    window.addEventListener('hashchange', reload);
    let active = true;
    if (!token.current) setState({ step: 'refused', message: t('noToken') });
    else
      void callAction(() => checkInvitationAction({ token: token.current })).then((result) => {
        if (!active) return;
        setState(
          result.ok
            ? { step: 'ready', displayName: result.displayName, error: null }
            : { step: 'refused', message: tr(result.message ?? 'common.genericError') },
        );
      });
    return () => {
      active = false;
      window.removeEventListener('hashchange', reload);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per page load
  }, []);

  const create = () =>
    startTransition(async () => {
      if (state.step !== 'ready') return;
      const fail = (message: string) => setState({ ...state, error: message });
      const started = await callAction(() => startEnrolmentAction({ token: token.current }));
      if (!started.ok) {
        setState({ step: 'refused', message: tr(started.message ?? 'common.genericError') });
        return;
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: started.options });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        return fail(name === 'InvalidStateError' ? tp('alreadyRegistered') : tp('cancelled'));
      }
      const result = await callAction(() =>
        finishEnrolmentAction({ token: token.current, ceremonyId: started.ceremonyId, response }),
      );
      // Success redirects to the console; a refusal of the invitation itself ends the page.
      if (result.message?.startsWith('console.invitation.') && result.message !== 'console.invitation.ceremonyExpired')
        setState({ step: 'refused', message: tr(result.message) });
      else fail(tr(result.message ?? 'common.genericError'));
    });

  if (state.step === 'checking') return <p aria-live="polite">{t('checking')}</p>;
  if (state.step === 'refused')
    return (
      <div className="flex flex-col gap-4">
        <Alert tone="error">{state.message}</Alert>
        <p>
          <Link
            href="/console/signin"
            className="font-medium text-brand underline underline-offset-4 hover:no-underline"
          >
            {t('signInLink')}
          </Link>
        </p>
      </div>
    );
  return (
    <div className="flex flex-col gap-4">
      <p className="text-muted">{t('welcome', { name: state.displayName })}</p>
      <div aria-live="assertive">{state.error && <Alert tone="error">{state.error}</Alert>}</div>
      <Button type="button" onClick={create} pending={pending} pendingLabel={t('creating')}>
        {t('create')}
      </Button>
    </div>
  );
}
