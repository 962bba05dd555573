import 'server-only';

import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

import { OIDC_SCOPES, SCOPE_CLAIMS } from '@/lib/oidc/claims';
import { sha256 } from '@/server/platform/crypto';
import { getEnv } from '@/server/platform/env';
import { errorMessage, getLogger } from '@/server/platform/log';

import { findAccount } from './account';
import { PostgresAdapter } from './adapter';
import { renderProviderError } from './error-page';
import { flowsConfiguration, installFlows } from './flows';
import { handleInteraction } from './interaction';
import { loadSigningKeys, SIGNING_ALG } from './keys';
import { logoutSource, postLogoutSuccessSource } from './logout-page';
import { ACR_SESSION, ACR_STRONG, acrOf, portalSessionFromCookies } from './portal-session';

// Accord's OpenID provider: one configuration, built once per process by
// scripts/http-server.ts (docs/decisions/037-openid-provider.md). The issuer is
// ${APP_URL}/oidc; the portal's session is the login (server/oidc/interaction.ts).
//
// oidc-flows adds its parts (refresh rotation and reuse, revocation and
// introspection policies, back-channel logout) in the marked FLOWS sections of
// `configuration()` below, each a separate small edit.

export const OIDC_MOUNT_PATH = '/oidc';

/** Lifetimes, in seconds. Keys stay published past the longest signed one (server/oidc/keys.ts). */
export const OIDC_TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Interaction: 60 * 60,
  Session: 30 * 24 * 60 * 60,
  Grant: 365 * 24 * 60 * 60,
} as const;

export function issuer(): string {
  return `${getEnv().APP_URL}${OIDC_MOUNT_PATH}`;
}

/** The provider's cookie keys, derived from AUTH_SECRET (and the one before, while rotating). */
function cookieKeys(): string[] {
  return getEnv().AUTH_SECRETS.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'accord-oidc-cookies-v1', 'oidc-provider cookies', 32)).toString(
      'base64url',
    ),
  );
}

/** The grant holds offline_access: the customer consented to it (server/oidc/interaction.ts). */
function grantHasOfflineAccess(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.entities.Grant?.getOIDCScope().split(' ').includes('offline_access') ?? false;
}

/**
 * The library's prompts, plus one login check: the portal's session decides.
 * A provider session whose portal session ended, or now belongs to another
 * customer, or is not strong enough for acr_values=strong, asks for a login
 * again (with prompt=none: login_required).
 */
function interactionPrompts() {
  const prompts = interactionPolicy.base();
  const { Check } = interactionPolicy;
  prompts.get('login')?.checks.add(
    new Check('portal_session', 'The portal session ended or changed', 'login_required', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const portal = await portalSessionFromCookies(ctx.get('cookie'));
      if (portal?.customerId !== accountId) return Check.REQUEST_PROMPT;
      const acrValues = String(ctx.oidc.params?.acr_values ?? '').split(' ');
      return acrValues.includes(ACR_STRONG) && acrOf(portal) !== ACR_STRONG
        ? Check.REQUEST_PROMPT
        : Check.NO_NEED_TO_PROMPT;
    }),
    1,
  );
  return prompts;
}

async function configuration(): Promise<Configuration> {
  const keys = await loadSigningKeys();
  // oidc-provider's own claims (acr, amr, sid, auth_time, iss) stay; each scope brings its standard claims.
  const claims: Configuration['claims'] = {
    acr: null,
    amr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub'],
    ...SCOPE_CLAIMS,
  };
  return {
    adapter: PostgresAdapter,
    findAccount,
    jwks: { keys: keys as never },
    cookies: {
      keys: cookieKeys(),
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    claims: claims as Configuration['claims'],
    scopes: [...OIDC_SCOPES],
    acrValues: [ACR_SESSION, ACR_STRONG],
    // Scope claims in the ID token too: apps read the name from it (issue 17).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // PKCE S256 for every client, confidential ones included.
    pkce: { required: () => true },
    // Secrets are stored hashed, so no client_secret_jwt and no HS* anywhere.
    clientAuthMethods: ['client_secret_basic', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: [SIGNING_ALG],
      userinfoSigningAlgValues: [SIGNING_ALG],
      introspectionSigningAlgValues: [SIGNING_ALG],
      authorizationSigningAlgValues: [SIGNING_ALG],
      requestObjectSigningAlgValues: [SIGNING_ALG, 'ES256', 'PS256'],
      clientAuthSigningAlgValues: [SIGNING_ALG, 'ES256', 'PS256'],
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: SIGNING_ALG,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    ttl: { ...OIDC_TTL },
    interactions: {
      policy: interactionPrompts(),
      url: (_ctx, interaction) => `${OIDC_MOUNT_PATH}/interaction/${interaction.uid}`,
    },
    // offline_access is granted on the consent screen (not only with prompt=consent,
    // which oidc-provider would otherwise require): refresh tokens follow the grant.
    issueRefreshToken: async (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || grantHasOfflineAccess(ctx)),
    expiresWithSession: async (ctx, code) => !code.scopes.has('offline_access') && !grantHasOfflineAccess(ctx),
    renderError: renderProviderError,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      // No pushed authorization requests (on by default in oidc-provider): no client of the brand
      // uses them, and an endpoint nobody needs is one more to attack.
      pushedAuthorizationRequests: { enabled: false },
      userinfo: { enabled: true },
      // FLOWS (oidc-flows): revocation, introspection and their allowedPolicy.
      revocation: flowsConfiguration.features.revocation,
      introspection: flowsConfiguration.features.introspection,
      // FLOWS (oidc-flows): logoutSource / postLogoutSuccessSource and ending the portal session.
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      // FLOWS (oidc-flows): back-channel logout delivery.
      backchannelLogout: flowsConfiguration.features.backchannelLogout,
    },
    // FLOWS (oidc-flows): rotateRefreshToken (always) and reuse detection.
    rotateRefreshToken: flowsConfiguration.rotateRefreshToken,
  };
}

/**
 * The provider for this process. Client secrets are SHA-256 at rest (apps
 * table): a presented secret is compared by its hash, in constant time.
 */
export async function createProvider(options: { issuer?: string } = {}): Promise<Provider> {
  // options.issuer: the tests' servers, on a port of their own.
  const provider = new Provider(options.issuer ?? issuer(), await configuration());
  // Behind TRUSTED_PROXIES the http server has already settled the client's
  // address; X-Forwarded-Proto decides whether the provider's cookies are Secure.
  provider.proxy = getEnv().APP_URL.startsWith('https://');
  installFlows(provider);
  // The library answers server_error without details; the log gets the message only (no token, no stack).
  provider.on('server_error', (_ctx: unknown, error: unknown) =>
    getLogger().error({ component: 'oidc' }, `provider error: ${errorMessage(error)}`),
  );
  const compareClientSecret = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function compareHashed(this: unknown, actual: string) {
    return compareClientSecret.call(this, sha256(actual));
  };
  return provider;
}

export type OidcRequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The dispatch of scripts/http-server.ts (and of the tests' servers): true when
 * the request was the provider's. /oidc/interaction/* goes to the portal's
 * interaction handler, every other /oidc/* to oidc-provider, under its mount path.
 */
export async function createOidcRequestHandler(provider?: Provider): Promise<OidcRequestHandler> {
  const oidc = provider ?? (await createProvider());
  const callback = oidc.callback();
  return (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0] ?? '';
    if (path !== OIDC_MOUNT_PATH && !path.startsWith(`${OIDC_MOUNT_PATH}/`)) return false;
    if (path.startsWith(`${OIDC_MOUNT_PATH}/interaction/`)) {
      void handleInteraction(oidc, req, res);
      return true;
    }
    // oidc-provider derives its mount path from originalUrl minus url (as under express).
    Object.assign(req, { originalUrl: url });
    req.url = url.slice(OIDC_MOUNT_PATH.length) || '/';
    void callback(req, res);
    return true;
  };
}
