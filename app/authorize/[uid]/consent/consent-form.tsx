'use client';

import { useState, useTransition } from 'react';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';
import type { OidcClaim } from '@/lib/oidc/claims';
import { interactionPath } from '@/lib/oidc/interaction-path';

import { answerConsentAction } from '../../actions';

type Props = { uid: string; appName: string; required: OidcClaim[]; optional: OidcClaim[] };

/** What the app receives: required claims listed, optional ones each a switch (on by default), then Allow or Refuse. */
export function ConsentForm({ uid, appName, required, optional }: Props) {
  const t = useTranslations('oidc.authorize');
  const tr = useActionMessages();
  const [pending, startTransition] = useTransition();
  const [answer, setAnswer] = useState<'allow' | 'refuse' | null>(null);
  const [kept, setKept] = useState<Set<OidcClaim>>(() => new Set(optional));
  const [error, setError] = useState<string | null>(null);

  const toggle = (claim: OidcClaim, on: boolean) =>
    setKept((previous) => {
      const next = new Set(previous);
      if (on) next.add(claim);
      else next.delete(claim);
      return next;
    });

  const send = (approved: boolean) => {
    setAnswer(approved ? 'allow' : 'refuse');
    startTransition(async () => {
      setError(null);
      const result = await callAction(() => answerConsentAction({ uid, approved, optional: [...kept] }));
      // A full navigation: the provider answers with a redirect to the app, not a page of this site.
      if (result.ok) window.location.assign(interactionPath(uid));
      else setError(tr(result.message ?? 'common.genericError'));
    });
  };

  return (
    <form
      method="post"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        send(true);
      }}
      className="flex flex-col gap-6"
      aria-label={t('consentFormLabel', { app: appName })}
    >
      <div aria-live="assertive">{error && <Alert tone="error">{error}</Alert>}</div>
      {required.length > 0 && (
        <section aria-labelledby="required-claims">
          <h2 id="required-claims" className="font-semibold">
            {t('requiredTitle', { app: appName })}
          </h2>
          <ul className="mt-2 flex list-disc flex-col gap-1 pl-5">
            {required.map((claim) => (
              <li key={claim}>{t(`claims.${claim}`)}</li>
            ))}
          </ul>
        </section>
      )}
      {optional.length > 0 && (
        <fieldset className="flex flex-col gap-3">
          <legend className="font-semibold">{t('optionalTitle')}</legend>
          <p className="text-sm text-muted">{t('optionalHint', { app: appName })}</p>
          {optional.map((claim) => (
            <label key={claim} className="flex min-h-11 items-center justify-between gap-4">
              <span>{t(`claims.${claim}`)}</span>
              <input
                type="checkbox"
                role="switch"
                name="optional"
                value={claim}
                checked={kept.has(claim)}
                onChange={(event) => toggle(claim, event.target.checked)}
                className="size-6 accent-brand"
              />
            </label>
          ))}
        </fieldset>
      )}
      {required.length === 0 && optional.length === 0 && <p>{t('nothingShared', { app: appName })}</p>}
      <p className="text-sm text-muted">{t('withdrawHint')}</p>
      <div className="flex flex-wrap gap-3">
        <Button type="submit" pending={pending && answer === 'allow'} disabled={pending} pendingLabel={t('working')}>
          {t('allow')}
        </Button>
        <Button
          type="button"
          variant="secondary"
          pending={pending && answer === 'refuse'}
          disabled={pending}
          pendingLabel={t('working')}
          onClick={() => send(false)}
        >
          {t('refuse')}
        </Button>
      </div>
    </form>
  );
}
