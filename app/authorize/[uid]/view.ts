import 'server-only';

import { notFound, redirect } from 'next/navigation';

import { interactionPath, isInteractionUid } from '@/lib/oidc/interaction-path';
import { getSignedInCustomer, type SignedInCustomer } from '@/server/identity/auth';
import { getInteractionView, type InteractionView } from '@/server/oidc/interaction-store';

/**
 * The pending request of this page and the signed-in customer it is for.
 * Unknown, expired or someone else's: not found (./not-found.tsx says to start
 * again from the app), alike, so a uid tells nothing about another customer.
 */
export async function loadInteraction(uid: string): Promise<{ view: InteractionView; customer: SignedInCustomer }> {
  if (!isInteractionUid(uid)) notFound();
  const customer = await getSignedInCustomer();
  if (!customer) redirect(`/signin?next=${encodeURIComponent(interactionPath(uid))}`);
  const view = await getInteractionView(uid);
  if (!view || (view.customerId !== null && view.customerId !== customer.id)) notFound();
  return { view, customer };
}
