import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prisma } from '@/server/platform/db';
import {
  browse,
  portalCustomer,
  REDIRECT_URI,
  registerOidcApp,
  relyingParty,
  signInWithCode,
  startOidcServer,
  type OidcTestServer,
} from '@/tests/oidc-helpers';

let server: OidcTestServer;

beforeAll(async () => {
  server = await startOidcServer();
});
afterAll(async () => {
  await server?.close();
});

describe('discovery and JWKS', () => {
  it('publishes the issuer, the endpoints under /oidc, code+PKCE S256 only, RS256 only and the two acr values', async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = await response.json();
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.authorization_endpoint).toBe(`${server.issuer}/auth`);
    expect(metadata.jwks_uri).toBe(`${server.issuer}/jwks`);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'none']);
    expect(metadata.acr_values_supported).toEqual(['urn:accord:acr:session', 'urn:accord:acr:strong']);
    expect(metadata.end_session_endpoint).toBe(`${server.issuer}/session/end`);
    expect(metadata.backchannel_logout_supported).toBe(true);
  });

  it('publishes public keys only', async () => {
    const { keys } = await (await fetch(`${server.issuer}/jwks`)).json();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.kty).toBe('RSA');
      expect(key).not.toHaveProperty('d');
      expect(key).not.toHaveProperty('p');
    }
  });

  it('keeps the private keys sealed at rest', async () => {
    const rows = await prisma.oidcSigningKey.findMany({ select: { privateJwk: true } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.privateJwk).not.toMatch(/"d"|"kty"/);
  });
});

describe('authorization code with PKCE, the portal session as the login', () => {
  it('signs a portal customer in without a prompt and gives an ID token and userinfo with sub = the customer id', async () => {
    const app = await registerOidcApp();
    const customer = await portalCustomer({ firstName: 'Camille' });
    const config = await relyingParty(server, app);
    const { tokens, portalPages } = await signInWithCode(server, config, customer, {
      extra: { acr_values: 'urn:accord:acr:session' },
    });
    expect(portalPages).toEqual([]);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(customer.id);
    expect(claims.iss).toBe(server.issuer);
    expect(claims.given_name).toBe('Camille');
    expect(claims.name).toBe('Camille Durand');
    expect(claims.acr).toBe('urn:accord:acr:strong');
    // Signed in just now: the session's acr is the strong one, whatever was asked for.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, customer.id);
    expect(userinfo.family_name).toBe('Durand');
  });

  it('works for a public client (no secret, PKCE)', async () => {
    const app = await registerOidcApp({ clientType: 'public' });
    const customer = await portalCustomer();
    const config = await relyingParty(server, app, 'public');
    const { tokens } = await signInWithCode(server, config, customer);
    expect(tokens.claims()?.sub).toBe(customer.id);
  });

  it('refuses a wrong client secret (compared by its hash)', async () => {
    const app = await registerOidcApp();
    const customer = await portalCustomer();
    const config = await relyingParty(server, { ...app, clientSecret: 'not-the-secret' });
    const error = await signInWithCode(server, config, customer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((error as client.WWWAuthenticateChallengeError).cause[0]?.parameters.error).toBe('invalid_client');
  });

  it('sends a browser without a portal session to the portal sign-in, coming back to the interaction', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const { callback, portalPages } = await browse(server, url);
    expect(callback).toBeNull();
    expect(portalPages[0]).toMatch(/^\/signin\?next=%2Foidc%2Finteraction%2F[\w-]+$/);
  });

  it('asks for a step-up when acr_values asks for a strong sign-in and the session is old', async () => {
    const app = await registerOidcApp();
    const customer = await portalCustomer({ authenticatedAt: new Date(Date.now() - 60 * 60 * 1000) });
    const config = await relyingParty(server, app);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      acr_values: 'urn:accord:acr:strong',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const { portalPages } = await browse(server, url, { portalCookie: customer.cookie });
    expect(portalPages[0]).toMatch(/^\/authorize\/[\w-]+\/step-up$/);
  });

  it('does not know a disabled app', async () => {
    const app = await registerOidcApp();
    await prisma.app.update({ where: { clientId: app.clientId }, data: { disabledAt: new Date() } });
    const response = await fetch(
      `${server.issuer}/auth?client_id=${app.clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid_client');
  });
});
