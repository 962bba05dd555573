'use client';

import { useEffect, useId, useRef, useState, useTransition } from 'react';

import { revokeOtherSessionsAction } from '@/app/account/security/actions';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { useTranslations } from '@/lib/i18n/client';

/**
 * Shown after an email change or a passkey removal, which a customer often makes
 * because someone else got in: one button signs out every other session (this
 * one stays). The heading takes the focus so keyboard and screen-reader users
 * land on the offer. Nothing is offered without other sessions; the count is
 * read once, when the offer appears, so it stays (saying it is done) when the
 * page refreshes with none left. Issue 11, item 7.
 */
export function SignOutOthersOffer({
  reason,
  otherSessions,
  onDismiss,
}: {
  reason: 'emailChanged' | 'passkeyRemoved';
  otherSessions: number;
  onDismiss?: () => void;
}) {
  const t = useTranslations('signOutOthers');
  const tr = useActionMessages();
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [pending, startTransition] = useTransition();
  const [state, setState] = useState<'offered' | 'done' | 'dismissed'>(otherSessions > 0 ? 'offered' : 'dismissed');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => heading.current?.focus(), []);

  if (state === 'dismissed') return null;
  if (state === 'done') return <Alert tone="success">{t('done')}</Alert>;
  const signOut = () =>
    startTransition(async () => {
      const result = await callAction(() => revokeOtherSessionsAction());
      if (result.ok) setState('done');
      else setError(tr(result.message ?? 'common.genericError'));
    });
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 rounded-xl bg-amber-50 p-5 ring-1 ring-amber-300">
      <h3 id={id} ref={heading} tabIndex={-1} className="font-semibold focus:outline-none">
        {t('title')}
      </h3>
      <p>{t(reason)}</p>
      {error && <Alert tone="error">{error}</Alert>}
      <div className="flex flex-wrap gap-3">
        <Button type="button" onClick={signOut} pending={pending} pendingLabel={t('signingOut')}>
          {t('signOut')}
        </Button>
        <Button
          type="button"
          variant="secondary"
          disabled={pending}
          onClick={() => {
            setState('dismissed');
            onDismiss?.();
          }}
        >
          {t('dismiss')}
        </Button>
      </div>
    </section>
  );
}
