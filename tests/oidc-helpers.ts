// The OpenID provider under test: served by a node http server on a free port,
// exactly as scripts/http-server.ts dispatches /oidc, with openid-client as the
// relying party, and a browser stand-in that follows the provider's redirects
// with a portal session created in the database (no UI).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import * as client from 'openid-client';

import type { OidcClaim, OidcScope } from '@/lib/oidc/claims';
import { createApp } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { saveConsentChoice } from '@/server/oidc/interaction-store';
import { createOidcRequestHandler, createProvider, type OidcRequestHandler } from '@/server/oidc/provider';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor, TEST_ACTOR } from '@/tests/factories';

export type OidcTestServer = { origin: string; issuer: string; server: Server; close: () => Promise<void> };

export async function startOidcServer(): Promise<OidcTestServer> {
  let handle: OidcRequestHandler | null = null;
  const server = createServer((req, res) => {
    if (!handle?.(req, res)) {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/oidc`;
  handle = await createOidcRequestHandler(await createProvider({ issuer }));
  return {
    origin,
    issuer,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const REDIRECT_URI = 'https://rp.example.test/callback';

export type OidcAppOptions = {
  clientType?: 'confidential' | 'public';
  oidcScopes?: OidcScope[];
  requiredClaims?: OidcClaim[];
  optionalClaims?: OidcClaim[];
  /** The consent policy's side: fields and purposes, as `npm run apps -- create` takes them. */
  fields?: string;
  purposes?: string;
  redirectUris?: string[];
  backchannelLogoutUri?: string;
};

/** A registered app that is an OpenID client (redirect URIs set as the registry stores them). */
export async function registerOidcApp(options: OidcAppOptions = {}) {
  await ensureConsentPurposes();
  const created = await createApp(
    {
      name: `oidc-${Math.random().toString(36).slice(2, 10)}`,
      purposes: options.purposes ?? 'service',
      fields: options.fields ?? 'name,email,locale',
      scopes: ['customers:read'],
    },
    TEST_ACTOR,
  );
  await prisma.app.update({
    where: { id: created.app.id },
    data: {
      redirectUris: options.redirectUris ?? [REDIRECT_URI],
      clientType: options.clientType ?? 'confidential',
      oidcScopes: options.oidcScopes ?? ['openid', 'profile', 'email', 'offline_access'],
      requiredClaims: options.requiredClaims ?? ['name', 'given_name', 'family_name'],
      optionalClaims: options.optionalClaims ?? [],
      backchannelLogoutUri: options.backchannelLogoutUri ?? null,
    },
  });
  return { app: created.app, clientId: created.app.clientId, clientSecret: created.clientSecret };
}

/** openid-client's configuration for the app, by discovery against the test server. */
export async function relyingParty(
  server: OidcTestServer,
  app: { clientId: string; clientSecret: string },
  type: 'confidential' | 'public' = 'confidential',
): Promise<client.Configuration> {
  return client.discovery(
    new URL(server.issuer),
    app.clientId,
    type === 'public' ? undefined : { client_secret: app.clientSecret },
    type === 'public' ? client.None() : client.ClientSecretBasic(app.clientSecret),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A signed-in customer of the portal: their id and the session cookie a browser would send. */
export async function portalCustomer(opts: { authenticatedAt?: Date; firstName?: string } = {}) {
  const customer = await createCustomer({ firstName: opts.firstName ?? 'Camille', lastName: 'Durand' });
  const { token } = await createSessionFor(customer.id, { authenticatedAt: opts.authenticatedAt });
  return { ...customer, cookie: `authjs.session-token=${token}` };
}

export type Consent = { approved: boolean; granted: OidcClaim[]; refused: OidcClaim[] };

export type BrowserResult = {
  /** Where the provider finally sent the browser (the RP's redirect URI with code or error), if it did. */
  callback: URL | null;
  /** Portal pages the browser was sent to on the way (/signin…, /authorize/<uid>/consent…). */
  portalPages: string[];
};

/**
 * Follows the provider's redirects as a browser would, with a cookie jar that
 * starts with the portal cookie (or none), until the browser leaves for the
 * RP or lands on a portal page it cannot pass. On the consent page it answers
 * with `consent` (saveConsentChoice, as the page's action does) and goes back
 * to the interaction endpoint.
 */
export async function browse(
  server: OidcTestServer,
  start: URL,
  opts: { portalCookie?: string; customerId?: string; consent?: Consent } = {},
): Promise<BrowserResult> {
  const jar = new Map<string, string>();
  if (opts.portalCookie) {
    const [name, value] = opts.portalCookie.split('=');
    jar.set(name!, value!);
  }
  const portalPages: string[] = [];
  let url = start;
  for (let hop = 0; hop < 20; hop += 1) {
    if (url.origin !== server.origin) return { callback: url, portalPages };
    if (!url.pathname.startsWith('/oidc/')) {
      portalPages.push(url.pathname + url.search);
      const consent = /^\/authorize\/([^/]+)\/consent$/.exec(url.pathname);
      if (!consent || !opts.consent || !opts.customerId) return { callback: null, portalPages };
      const saved = await saveConsentChoice(consent[1]!, opts.customerId, opts.consent);
      if (!saved.ok) throw new Error(`consent not saved: ${saved.reason}`);
      url = new URL(`/oidc/interaction/${consent[1]}`, server.origin);
      continue;
    }
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(set) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`stopped at ${url.pathname} with ${response.status}: ${await response.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

/**
 * The authorization code flow with PKCE for a signed-in customer, up to the
 * tokens: what the checkbook app does, with consent answered when asked.
 */
export async function signInWithCode(
  server: OidcTestServer,
  config: client.Configuration,
  customer: { id: string; cookie: string },
  opts: { scope?: string; consent?: Consent; extra?: Record<string, string> } = {},
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: opts.scope ?? 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...opts.extra,
  });
  const result = await browse(server, authorizationUrl, {
    portalCookie: customer.cookie,
    customerId: customer.id,
    consent: opts.consent,
  });
  if (!result.callback) throw new Error(`no callback; portal pages: ${result.portalPages.join(', ')}`);
  const tokens = await client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, callback: result.callback, portalPages: result.portalPages };
}
