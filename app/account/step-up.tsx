'use client';

import { lazy, Suspense, useState, type ReactNode } from 'react';

// The panel and its passkey client (@simplewebauthn/browser) load when an action
// asks for step-up, not with the pages that may need it (npm run bench -- --only=js).
const StepUpPanel = lazy(() => import('./step-up-panel').then((m) => ({ default: m.StepUpPanel })));

/**
 * The one step-up flow of the account pages: a sensitive action answers
 * "step-up required" (server/identity/auth.ts stepUpRequired); `needed` then opens
 * the panel and remembers how to try again, and once the customer proved it's
 * them the same attempt runs again. Render `panel` where the panel belongs.
 */
export function useStepUp(hasPasskey: boolean): {
  needed: (result: { ok: boolean; stepUp?: boolean }, retry: () => void) => boolean;
  open: boolean;
  panel: ReactNode;
} {
  const [retry, setRetry] = useState<(() => void) | null>(null);
  const needed = (result: { ok: boolean; stepUp?: boolean }, again: () => void) => {
    if (result.ok || !result.stepUp) return false;
    setRetry(() => again);
    return true;
  };
  const panel = retry && (
    <Suspense fallback={null}>
      <StepUpPanel
        hasPasskey={hasPasskey}
        onCancel={() => setRetry(null)}
        onVerified={() => {
          setRetry(null);
          retry();
        }}
      />
    </Suspense>
  );
  return { needed, open: retry !== null, panel };
}
