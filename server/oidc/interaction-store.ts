// CONTRACT STUB (owner: oidc-core). Replace the bodies, keep the signatures;
// see /work/tools/prompts/oidc-contract.md.
import 'server-only';

import type { OidcClaim } from '@/lib/oidc/claims';

/** What the portal's pages need to know of a pending authorization request. */
export type InteractionView = {
  uid: string;
  /** The registered app asking (apps row). */
  app: { id: string; name: string; description: string };
  /** What the provider still needs: a sign-in, a fresher or stronger one, or the customer's consent. */
  prompt: 'login' | 'consent';
  /** login reasons from oidc-provider (e.g. 'no_session', 'login_prompt', 'max_age', 'essential_acr'). */
  reasons: string[];
  /** A passkey or a fresh email code is required (acr_values asked for it, see the contract). */
  stepUp: boolean;
  /** Claims the app asks for and may receive, split as registered for the app. */
  claims: { required: OidcClaim[]; optional: OidcClaim[] };
  /** The customer this interaction is for, once signed in (null before). */
  customerId: string | null;
  expiresAt: Date;
};

/** The pending interaction, or null when unknown or expired. Reads only. */
export async function getInteractionView(uid: string): Promise<InteractionView | null> {
  void uid;
  throw new Error('not built yet');
}

/**
 * The customer's answer on the consent screen, kept until the provider's
 * interaction endpoint finishes the interaction with it. `granted` holds the
 * required claims and the optional ones the customer left on; `refused` the
 * optional ones turned off. Refused outright (`approved: false`) ends the
 * request with access_denied.
 */
export async function saveConsentChoice(
  uid: string,
  customerId: string,
  choice: { approved: boolean; granted: OidcClaim[]; refused: OidcClaim[] },
): Promise<{ ok: true } | { ok: false; reason: 'expired' | 'not-yours' }> {
  void uid;
  void customerId;
  void choice;
  throw new Error('not built yet');
}
