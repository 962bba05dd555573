// CONTRACT STUB (owner: oidc-flows). Replace the bodies, keep the signatures;
// see /work/tools/prompts/oidc-contract.md.
import 'server-only';

import type { Tx } from '@/server/platform/db';

/** Apps the customer signed in to through Accord (a live grant), for "Apps with access". */
export type SignedInApp = { appId: string; firstSignedInAt: Date; lastSignedInAt: Date; claims: string[] };

export async function listSignedInApps(customerId: string): Promise<SignedInApp[]> {
  void customerId;
  throw new Error('not built yet');
}

/**
 * Revokes every grant, refresh token, access token and authorization code the
 * app holds for the customer, in the caller's transaction (withdrawing the app's
 * access on the privacy page calls it): the app's next refresh gets invalid_grant.
 */
export async function revokeAppGrants(tx: Tx, customerId: string, appId: string): Promise<number> {
  void tx;
  void customerId;
  void appId;
  throw new Error('not built yet');
}

/**
 * The customer signed out of the portal (or every session ended): ends their
 * provider sessions and queues a back-channel logout to every app that
 * registered a back-channel logout URI and holds a session of theirs, in the
 * caller's transaction (delivered by the worker, at least once).
 */
export async function endProviderSessions(
  tx: Tx,
  customerId: string,
  reason: 'sign-out' | 'all-sessions',
): Promise<void> {
  void tx;
  void customerId;
  void reason;
  throw new Error('not built yet');
}
