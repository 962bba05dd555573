'use client';

import { useState, useTransition } from 'react';

import { StepUpPanel } from '@/app/account/step-up-panel';
import { Alert } from '@/components/ui/alert';
import { callAction, useActionMessages } from '@/components/use-action-messages';
import { interactionPath } from '@/lib/oidc/interaction-path';

import { cancelInteractionAction } from '../../actions';

/** The portal's step-up panel; proven (the session's authenticated_at is now), the provider carries on with the request. */
export function StepUpForApp({ uid, hasPasskey }: { uid: string; hasPasskey: boolean }) {
  const tr = useActionMessages();
  const [, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  // A full navigation: the provider answers with a redirect to the app, not a page of this site.
  const back = () => window.location.assign(interactionPath(uid));
  return (
    <>
      <div aria-live="assertive">{error && <Alert tone="error">{error}</Alert>}</div>
      <StepUpPanel
        hasPasskey={hasPasskey}
        onVerified={back}
        onCancel={() =>
          startTransition(async () => {
            const result = await callAction(() => cancelInteractionAction({ uid }));
            if (result.ok) back();
            else setError(tr(result.message ?? 'common.genericError'));
          })
        }
      />
    </>
  );
}
