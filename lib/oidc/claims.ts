// The OpenID claims Accord releases, and the shared field of the consent policy
// (server/consent/policy.ts SHARED_FIELDS) each one reads: a claim is released
// only while the policy lets the app see its field (issue 17 item 4).
// docs/decisions/037-openid-provider.md

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

export const CLAIM_FIELDS = {
  name: 'name',
  given_name: 'name',
  family_name: 'name',
  locale: 'locale',
  email: 'email',
  email_verified: 'email',
  phone_number: 'phone',
  phone_number_verified: 'phone',
  address: 'postalAddress',
} as const;
export type OidcClaim = keyof typeof CLAIM_FIELDS;
export const OIDC_CLAIMS = Object.keys(CLAIM_FIELDS) as OidcClaim[];

/** The standard claims of each scope (OpenID Connect Core §5.4). */
export const SCOPE_CLAIMS: Record<Exclude<OidcScope, 'openid' | 'offline_access'>, readonly OidcClaim[]> = {
  profile: ['name', 'given_name', 'family_name', 'locale'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
};

export function isOidcClaim(value: string): value is OidcClaim {
  return Object.hasOwn(CLAIM_FIELDS, value);
}
