import 'server-only';

import { isOidcClaim, SCOPE_CLAIMS, type OidcClaim } from '@/lib/oidc/claims';
import { getPool, type Tx } from '@/server/platform/db';

// What the portal does to the provider's state (oidc_payloads, written by
// server/oidc/adapter.ts): list and revoke an app's grants for the privacy page,
// end the provider sessions when the portal's end. Plain SQL on the adapter's
// columns, in the caller's transaction, so a withdrawal or a sign-out and its
// effect on the apps commit together. docs/decisions/037-openid-provider.md

/** Apps the customer signed in to through Accord (a live grant), for "Apps with access". */
export type SignedInApp = { appId: string; firstSignedInAt: Date; lastSignedInAt: Date; claims: string[] };

/** The models an app's grant holds: revoking the Grant alone already fails a refresh, the rest goes with it. */
const GRANT_MODELS = ['Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode'];

/**
 * The queue of back-channel logouts (server/oidc/backchannel.ts delivers it):
 * rows of oidc_payloads under a model the provider never asks for, so they
 * share the table's expiry and purge (a logout still undelivered after a day
 * is given up: the app's own session has ended by then or never will).
 */
export const BACKCHANNEL_MODEL = 'BackchannelLogout';
export const BACKCHANNEL_GIVE_UP = '1 day';

type GrantRow = {
  app_id: string;
  first_at: Date;
  last_at: Date;
  scopes: string | null;
  claims: string[] | null;
  rejected: string[] | null;
  registered: string[];
};

export async function listSignedInApps(customerId: string): Promise<SignedInApp[]> {
  // iat is in seconds (oidc-provider's BaseModel); every sign-in issues a code, so the newest iat of any model is the last one.
  const { rows } = await getPool().query<GrantRow>(
    `SELECT a.id AS app_id, a.required_claims || a.optional_claims AS registered,
            min(to_timestamp((p.payload->>'iat')::bigint)) FILTER (WHERE p.model = 'Grant') AS first_at,
            max(to_timestamp((p.payload->>'iat')::bigint)) AS last_at,
            string_agg(p.payload->'openid'->>'scope', ' ') FILTER (WHERE p.model = 'Grant') AS scopes,
            array_agg(c.claim) FILTER (WHERE p.model = 'Grant' AND c.claim IS NOT NULL) AS claims,
            array_agg(r.claim) FILTER (WHERE p.model = 'Grant' AND r.claim IS NOT NULL) AS rejected
     FROM oidc_payloads p
     JOIN apps a ON a.client_id = p.client_id AND a.disabled_at IS NULL
     LEFT JOIN LATERAL jsonb_array_elements_text(
       CASE WHEN jsonb_typeof(p.payload->'openid'->'claims') = 'array' THEN p.payload->'openid'->'claims' END
     ) AS c(claim) ON true
     LEFT JOIN LATERAL jsonb_array_elements_text(
       CASE WHEN jsonb_typeof(p.payload->'rejected'->'openid'->'claims') = 'array'
            THEN p.payload->'rejected'->'openid'->'claims' END
     ) AS r(claim) ON true
     WHERE p.account_id = $1::uuid AND p.model = ANY($2::text[])
       AND (p.expires_at IS NULL OR p.expires_at > now()) AND p.consumed_at IS NULL
     GROUP BY a.id
     HAVING bool_or(p.model = 'Grant')
     ORDER BY last_at DESC`,
    [customerId, GRANT_MODELS],
  );
  return rows.map((row) => ({
    appId: row.app_id,
    firstSignedInAt: row.first_at,
    lastSignedInAt: row.last_at,
    // Only what the app registered can be released (server/oidc/account.ts), so only that is listed.
    claims: grantedClaims(row.scopes ?? '', row.claims ?? [], row.rejected ?? []).filter((claim) =>
      row.registered.includes(claim),
    ),
  }));
}

/** The claims a grant covers: its scopes' standard claims and the claims asked one by one, less the refused ones. */
export function grantedClaims(scopes: string, claims: string[], rejected: string[]): OidcClaim[] {
  const granted = new Set<OidcClaim>();
  for (const scope of scopes.split(' ')) {
    if (Object.hasOwn(SCOPE_CLAIMS, scope)) {
      for (const claim of SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS]) granted.add(claim);
    }
  }
  for (const claim of claims) if (isOidcClaim(claim)) granted.add(claim);
  for (const claim of rejected) if (isOidcClaim(claim)) granted.delete(claim);
  return [...granted];
}

/**
 * Revokes every grant, refresh token, access token and authorization code the
 * app holds for the customer, in the caller's transaction (withdrawing the app's
 * access on the privacy page calls it): the app's next refresh gets invalid_grant.
 * Returns the number of grants revoked.
 */
export async function revokeAppGrants(tx: Tx, customerId: string, appId: string): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ model: string }>>`
    DELETE FROM oidc_payloads p USING apps a
    WHERE a.id = ${appId}::uuid AND p.client_id = a.client_id
      AND p.account_id = ${customerId}::uuid AND p.model = ANY(${GRANT_MODELS}::text[])
    RETURNING p.model`;
  return rows.filter((row) => row.model === 'Grant').length;
}

/**
 * The customer signed out of the portal (or every session ended): ends their
 * provider sessions and queues a back-channel logout to every app that
 * registered a back-channel logout URI and holds a session of theirs, in the
 * caller's transaction (delivered by the worker, at least once). The queued
 * rows name no account_id: an erasure (which cascades on it) must not take back
 * the logouts it queued.
 *
 * Both reasons end every provider session of the customer: a provider session
 * is not tied to one portal session (it has its own cookie), and signing out of
 * the portal is meant to sign out of the brand's apps.
 */
export async function endProviderSessions(
  tx: Tx,
  customerId: string,
  reason: 'sign-out' | 'all-sessions',
): Promise<void> {
  await tx.$executeRaw`
    WITH ended AS (
      DELETE FROM oidc_payloads WHERE model = 'Session' AND account_id = ${customerId}::uuid RETURNING payload
    ), held AS (
      SELECT DISTINCT auth.key AS client_id, auth.value->>'sid' AS sid
      FROM ended, jsonb_each(CASE WHEN jsonb_typeof(ended.payload->'authorizations') = 'object'
                                  THEN ended.payload->'authorizations' ELSE '{}'::jsonb END) AS auth
    )
    INSERT INTO oidc_payloads (model, id, payload, account_id, client_id, expires_at)
    SELECT ${BACKCHANNEL_MODEL}, gen_random_uuid()::text,
           jsonb_build_object('sub', ${customerId}::text, 'sid', held.sid, 'reason', ${reason}::text,
                              'attempts', 0, 'nextAttemptAt', floor(extract(epoch FROM now()))::bigint),
           NULL, held.client_id, now() + ${BACKCHANNEL_GIVE_UP}::interval
    FROM held JOIN apps a ON a.client_id = held.client_id
    WHERE a.backchannel_logout_uri IS NOT NULL AND a.disabled_at IS NULL`;
}
