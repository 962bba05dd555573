'use client';

import { useRouter } from 'next/navigation';

import { StepUpPanel } from '@/app/account/step-up-panel';
import { interactionPath } from '@/lib/oidc/interaction-path';

/**
 * The portal's step-up panel; once proven (the session's authenticated_at is
 * now) the provider carries on with the request. Cancelled, the customer goes
 * to their account and the request lapses at the provider.
 */
export function StepUpForApp({ uid, hasPasskey }: { uid: string; hasPasskey: boolean }) {
  const router = useRouter();
  return (
    <StepUpPanel
      hasPasskey={hasPasskey}
      // A full navigation: the provider answers with a redirect to the app, not a page of this site.
      onVerified={() => window.location.assign(interactionPath(uid))}
      onCancel={() => router.push('/account')}
    />
  );
}
