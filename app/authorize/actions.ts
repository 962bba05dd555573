'use server';

import type { ActionResult } from '@/lib/action-result';
import { ConsentAnswerSchema } from '@/lib/validation/oidc-consent';
import { requireCustomer } from '@/server/identity/auth';
import { getInteractionView, saveConsentChoice } from '@/server/oidc/interaction-store';

// The customer's answers to an app's sign-in request. The browser then goes
// back to /oidc/interaction/<uid>, where the provider finishes the request with
// them (server/oidc/interaction.ts): nothing here is trusted by the provider
// beyond the saved choice of this customer.

const EXPIRED = { ok: false, message: 'oidc.authorize.expired' } as const;

/** Allow (with the optional claims left on) or Refuse. */
export async function answerConsentAction(input: unknown): Promise<ActionResult> {
  const customer = await requireCustomer();
  const parsed = ConsentAnswerSchema.safeParse(input);
  if (!parsed.success) return EXPIRED;
  const { uid, approved, optional } = parsed.data;
  const view = await getInteractionView(uid);
  if (!view || (view.customerId !== null && view.customerId !== customer.id)) return EXPIRED;
  // Only what this request asks for: a claim posted beyond it is neither granted nor refused.
  const kept = new Set(optional);
  const granted = approved ? [...view.claims.required, ...view.claims.optional.filter((c) => kept.has(c))] : [];
  const refused = approved ? view.claims.optional.filter((c) => !kept.has(c)) : view.claims.optional;
  const saved = await saveConsentChoice(uid, customer.id, { approved, granted, refused });
  return saved.ok ? { ok: true } : EXPIRED;
}
