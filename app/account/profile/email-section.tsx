'use client';

import { lazy, Suspense, useEffect, useRef, useState, useTransition } from 'react';

import { SignOutOthersOffer } from '@/app/account/sign-out-others-offer';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { useTranslations } from '@/lib/i18n/client';

// The forms (schemas, the step-up and its passkey client) are not part of the
// page's first load (npm run bench): their code comes when the customer opens
// them. A pending change is still rendered on the server, and its code follows
// at hydration. React.lazy rather than next/dynamic, whose own client code
// would weigh about 2 kB gzipped on the page.
const loadForms = () => import('./email-change-forms');
const EmailChangeForms = lazy(() => loadForms().then((m) => ({ default: m.EmailChangeForms })));
/** Fetches the forms' code ahead of a click (pointer over, or focus on, the button). */
const preloadForms = () => void loadForms();

type Props = {
  email: string;
  verified: boolean;
  provenance: string;
  pendingEmail: string | null;
  /** The confirmation mail waits in the queue for the mail server. */
  pendingMailQueued: boolean;
  hasPasskey: boolean;
  /** The customer's sessions but this one: after a change, an offer to end them. */
  otherSessions: number;
};

/**
 * Changing the sign-in address: step-up, then the new address proves itself
 * (link or code); until then the current address stays the sign-in.
 */
export function EmailSection({
  email,
  verified,
  provenance,
  pendingEmail,
  pendingMailQueued,
  hasPasskey,
  otherSessions,
}: Props) {
  const t = useTranslations('emailChange');
  const [opening, startOpening] = useTransition();
  const [changing, setChanging] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [offered, setOffered] = useState(false);
  const returnFocus = useRef(false);

  // Cancelling the form puts the focus back on the button that opened it.
  useEffect(() => {
    if (changing || pendingEmail || !returnFocus.current) return;
    returnFocus.current = false;
    document.getElementById('email-change-open')?.focus();
  });

  return (
    <div className="flex flex-col gap-4">
      <p>
        {t('current', { email })}{' '}
        {verified && (
          <span className="ml-1 rounded-full bg-green-100 px-2 py-0.5 text-xs font-semibold text-green-900">
            {t('verified')}
          </span>
        )}
      </p>
      <p className="-mt-3 text-sm text-muted">{provenance}</p>
      <div aria-live="polite">{notice && <Alert tone={notice.tone}>{notice.text}</Alert>}</div>
      {offered && (
        <SignOutOthersOffer reason="emailChanged" otherSessions={otherSessions} onDismiss={() => setOffered(false)} />
      )}
      {pendingEmail && pendingMailQueued && <Alert tone="info">{t('mailQueued')}</Alert>}

      {/* Opening is a transition: the button stays, pending, while the forms' code loads.
          The fallback shows only when they load outside one (a pending change, client-side). */}
      <Suspense fallback={<p aria-busy="true">{pendingEmail && t('pending', { email: pendingEmail })}</p>}>
        {pendingEmail || changing ? (
          <EmailChangeForms
            email={email}
            pendingEmail={pendingEmail}
            hasPasskey={hasPasskey}
            focusOnOpen={changing}
            onNotice={setNotice}
            onConfirmed={() => setOffered(true)}
            onClose={(reason) => {
              returnFocus.current = reason === 'cancelled';
              setChanging(false);
            }}
          />
        ) : (
          <div>
            <Button
              id="email-change-open"
              type="button"
              variant="secondary"
              onClick={() => startOpening(() => setChanging(true))}
              onPointerEnter={preloadForms}
              onFocus={preloadForms}
              pending={opening}
            >
              {t('change')}
            </Button>
          </div>
        )}
      </Suspense>
    </div>
  );
}
