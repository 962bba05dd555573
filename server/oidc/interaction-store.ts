import 'server-only';

import { isOidcClaim, SCOPE_CLAIMS, type OidcClaim } from '@/lib/oidc/claims';
import { getPool } from '@/server/platform/db';

import { findOidcApp } from './account';
import { ACR_STRONG } from './portal-session';

// What the portal's pages (/authorize/[uid]/consent, /authorize/[uid]/step-up)
// read of a pending interaction, and where they leave the customer's answer
// for server/oidc/interaction.ts. docs/decisions/037-openid-provider.md

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

type InteractionPayload = {
  exp: number;
  params?: Record<string, unknown>;
  prompt?: { name: string; reasons?: string[] };
  session?: { accountId?: string };
  result?: { login?: { accountId?: string } };
};

async function liveInteraction(uid: string): Promise<InteractionPayload | null> {
  const { rows } = await getPool().query<{ payload: InteractionPayload }>(
    `SELECT payload FROM oidc_payloads WHERE model = 'Interaction' AND id = $1 AND expires_at > now()`,
    [uid],
  );
  return rows[0]?.payload ?? null;
}

function accountOf(payload: InteractionPayload): string | null {
  return payload.session?.accountId ?? payload.result?.login?.accountId ?? null;
}

/** The pending interaction, or null when unknown or expired. Reads only. */
export async function getInteractionView(uid: string): Promise<InteractionView | null> {
  const payload = await liveInteraction(uid);
  const params = payload?.params ?? {};
  if (!payload || typeof params.client_id !== 'string') return null;
  const app = await findOidcApp(params.client_id);
  if (!app) return null;
  const scopes = typeof params.scope === 'string' ? params.scope.split(' ') : [];
  const asked = new Set(
    scopes.flatMap((s) => (Object.hasOwn(SCOPE_CLAIMS, s) ? SCOPE_CLAIMS[s as keyof typeof SCOPE_CLAIMS] : [])),
  );
  const reasons = payload.prompt?.reasons ?? [];
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values.split(' ') : [];
  return {
    uid,
    app: { id: app.id, name: app.name, description: app.description },
    prompt: payload.prompt?.name === 'consent' ? 'consent' : 'login',
    reasons,
    stepUp:
      acrValues.includes(ACR_STRONG) ||
      reasons.some((reason) => ['login_prompt', 'max_age', 'essential_acr', 'essential_acrs'].includes(reason)),
    claims: {
      required: app.requiredClaims.filter((claim) => asked.has(claim)),
      optional: app.optionalClaims.filter((claim) => asked.has(claim)),
    },
    customerId: accountOf(payload),
    expiresAt: new Date(payload.exp * 1000),
  };
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
  const payload = await liveInteraction(uid);
  if (!payload) return { ok: false, reason: 'expired' };
  if (accountOf(payload) !== customerId) return { ok: false, reason: 'not-yours' };
  const granted = choice.granted.filter(isOidcClaim);
  const refused = choice.refused.filter(isOidcClaim);
  await getPool().query(
    `INSERT INTO oidc_consent_choices (uid, customer_id, approved, granted, refused) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (uid) DO UPDATE SET customer_id = EXCLUDED.customer_id, approved = EXCLUDED.approved,
       granted = EXCLUDED.granted, refused = EXCLUDED.refused, created_at = now()`,
    [uid, customerId, choice.approved, granted, refused],
  );
  return { ok: true };
}

/** The saved answer for this interaction, deleted as it is read (one use). */
export async function takeConsentChoice(
  uid: string,
  customerId: string,
): Promise<{ approved: boolean; granted: OidcClaim[]; refused: OidcClaim[] } | null> {
  const { rows } = await getPool().query<{ approved: boolean; granted: string[] | null; refused: string[] | null }>(
    'DELETE FROM oidc_consent_choices WHERE uid = $1 AND customer_id = $2 RETURNING approved, granted, refused',
    [uid, customerId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    approved: row.approved,
    granted: (row.granted ?? []).filter(isOidcClaim),
    refused: (row.refused ?? []).filter(isOidcClaim),
  };
}
