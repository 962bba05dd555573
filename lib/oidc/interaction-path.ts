// The provider's interaction URL (/oidc/interaction/<uid>), where the portal's
// sign-in, consent and step-up pages send the browser back when they are done.
// docs/decisions/037-openid-provider.md

/** oidc-provider's uids are nanoids: anything else never reaches a query. */
const UID = /^[A-Za-z0-9_-]{8,64}$/;

export const isInteractionUid = (uid: unknown): uid is string => typeof uid === 'string' && UID.test(uid);

export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

/** The uid of an interaction path, or null for any other value (a `next` or `returnTo`). */
export function interactionUidOf(path: unknown): string | null {
  if (typeof path !== 'string') return null;
  const match = /^\/oidc\/interaction\/([^/?#]+)$/.exec(path);
  return match && isInteractionUid(match[1]) ? match[1] : null;
}

/**
 * Where a sign-in goes back to: an interaction through /authorize/<uid>/continue,
 * which leaves Next.js with a full navigation. A server action's redirect() to
 * /oidc/… would be fetched by Next.js itself first (to render it inline), running
 * the provider's interaction on the server, with the customer's cookies.
 */
export function returnDestination(path: string): string {
  const uid = interactionUidOf(path);
  return uid ? `/authorize/${uid}/continue` : path;
}
