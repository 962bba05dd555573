import 'server-only';

import type { Account, AccountClaims, FindAccount } from 'oidc-provider';

import { CLAIM_FIELDS, isOidcClaim, SCOPE_CLAIMS, type OidcClaim } from '@/lib/oidc/claims';
import { readCustomers, type FieldPurposes, type SharedCustomer } from '@/server/consent/policy';
import { getPool } from '@/server/platform/db';

// The customer as the provider sees them: `sub` is the customer id, and every
// other claim goes through the consent policy (docs/decisions/037-openid-provider.md).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type OidcApp = {
  id: string;
  clientId: string;
  name: string;
  fieldPurposes: FieldPurposes;
  description: string;
  oidcScopes: string[];
  requiredClaims: OidcClaim[];
  optionalClaims: OidcClaim[];
};

export async function findOidcApp(clientId: string): Promise<OidcApp | null> {
  const { rows } = await getPool().query<{
    id: string;
    client_id: string;
    name: string;
    field_purposes: FieldPurposes;
    description: string;
    oidc_scopes: string[] | null;
    required_claims: string[] | null;
    optional_claims: string[] | null;
  }>(
    `SELECT id, client_id, name, description, field_purposes, oidc_scopes, required_claims, optional_claims
       FROM apps WHERE client_id = $1 AND disabled_at IS NULL`,
    [clientId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    description: row.description,
    fieldPurposes: row.field_purposes,
    oidcScopes: row.oidc_scopes ?? [],
    requiredClaims: (row.required_claims ?? []).filter(isOidcClaim),
    optionalClaims: (row.optional_claims ?? []).filter(isOidcClaim),
  };
}

/**
 * The claims that may be released, before the policy: asked for through a
 * granted scope, registered by the app, and not refused by the customer.
 */
export function claimsToRelease(app: OidcApp, scope: string, rejected: readonly string[]): OidcClaim[] {
  const registered = new Set<OidcClaim>([...app.requiredClaims, ...app.optionalClaims]);
  const refused = new Set(rejected);
  const asked = scope
    .split(' ')
    .flatMap((s) => (Object.hasOwn(SCOPE_CLAIMS, s) ? SCOPE_CLAIMS[s as keyof typeof SCOPE_CLAIMS] : []));
  return [...new Set(asked)].filter((claim) => registered.has(claim) && !refused.has(claim));
}

function claimValue(claim: OidcClaim, customer: SharedCustomer): unknown {
  switch (claim) {
    case 'name':
      return [customer.firstName, customer.lastName].filter(Boolean).join(' ') || undefined;
    case 'given_name':
      return customer.firstName ?? undefined;
    case 'family_name':
      return customer.lastName ?? undefined;
    case 'locale':
      return customer.locale;
    case 'email':
      return customer.email;
    case 'email_verified':
      return customer.emailVerified;
    case 'phone_number':
      return customer.phone ?? undefined;
    case 'phone_number_verified':
      // Accord keeps no verification of phone numbers.
      return customer.phone ? false : undefined;
    case 'address': {
      const a = customer.addresses?.home;
      if (!a) return undefined;
      return {
        formatted: [a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country].filter(Boolean).join('\n'),
        street_address: [a.line1, a.line2].filter(Boolean).join('\n'),
        postal_code: a.postalCode,
        locality: a.city,
        country: a.country,
      };
    }
  }
}

/**
 * Releases `claims` of the customer to the app through the consent policy: one
 * read, logged by the policy's statement in "who looked at my data" when it
 * returned anything. A claim whose field the policy hides is left out.
 */
export async function readClaims(
  app: OidcApp,
  customerId: string,
  claims: OidcClaim[],
  use: string,
): Promise<Partial<Record<OidcClaim, unknown>>> {
  const fields = new Set(claims.map((claim) => CLAIM_FIELDS[claim]));
  const fieldPurposes: FieldPurposes = {};
  for (const field of fields) {
    const purposes = app.fieldPurposes[field];
    if (purposes?.length) fieldPurposes[field] = purposes;
  }
  if (Object.keys(fieldPurposes).length === 0) return {};
  const [read] = await readCustomers(
    {
      accessor: { type: 'app', id: app.clientId, name: app.name },
      appId: app.id,
      fieldPurposes,
      reason: `openid ${use}`,
    },
    { ids: [customerId] },
  );
  if (!read) return {};
  const released: Partial<Record<OidcClaim, unknown>> = {};
  for (const claim of claims) {
    if (!read.visible[CLAIM_FIELDS[claim]]) continue;
    const value = claimValue(claim, read.customer);
    if (value !== undefined && value !== null) released[claim] = value;
  }
  return released;
}

export const findAccount: FindAccount = async (ctx, sub): Promise<Account | undefined> => {
  if (!UUID.test(sub)) return undefined;
  const { rowCount } = await getPool().query('SELECT 1 FROM customers WHERE id = $1', [sub]);
  if (!rowCount) return undefined;
  const clientId = ctx.oidc.client?.clientId;
  return {
    accountId: sub,
    async claims(use, scope, _claims, rejected): Promise<AccountClaims> {
      const app = clientId ? await findOidcApp(clientId) : null;
      if (!app) return { sub };
      const released = await readClaims(app, sub, claimsToRelease(app, scope, rejected), use);
      return { sub, ...released };
    },
  };
};
