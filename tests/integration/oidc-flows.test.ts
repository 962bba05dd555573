import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { setAppAccess } from '@/server/consent/app-access';
import { revokeOtherSessions } from '@/server/identity/sessions';
import { deliverBackchannelLogouts } from '@/server/oidc/backchannel';
import { loadSigningKeys } from '@/server/oidc/keys';
import { createProvider } from '@/server/oidc/provider';
import { getPool, prisma } from '@/server/platform/db';
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

// Every flow of issue 17's acceptance with openid-client as the relying party,
// against the provider served as scripts/http-server.ts serves it (tests/oidc-helpers.ts).

let server: OidcTestServer;

beforeAll(async () => {
  server = await startOidcServer();
});
afterAll(async () => {
  await server?.close();
});

const OFFLINE = 'openid profile offline_access';

/** Up to the callback, without exchanging the code: the test decides what to do with it. */
async function authorize(
  config: client.Configuration,
  customer: { id: string; cookie: string } | null,
  extra: Record<string, string> = {},
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  const result = await browse(server, url, customer ? { portalCookie: customer.cookie, customerId: customer.id } : {});
  return { ...result, verifier, state, url };
}

/** openid-client's error for an OAuth error response, its `error` code. */
async function oauthError(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof client.ResponseBodyError) return error.error;
  if (error instanceof client.AuthorizationResponseError) return error.error;
  throw error ?? new Error('expected an OAuth error, got a success');
}

async function introspect(app: { clientId: string; clientSecret: string }, token: string) {
  const config = await relyingParty(server, app);
  return client.tokenIntrospection(config, token);
}

describe('PKCE and redirect URIs', () => {
  it.each([
    ['plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
    ['missing', {}],
  ])('refuses a %s code challenge with invalid_request, back at the registered redirect URI', async (_, pkce) => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT_URI,
      state: 's1',
      ...pkce,
    }).toString();
    const { callback } = await browse(server, url, { portalCookie: customer.cookie, customerId: customer.id });
    expect(callback?.origin + callback!.pathname).toBe(REDIRECT_URI);
    expect(callback?.searchParams.get('error')).toBe('invalid_request');
    expect(callback?.searchParams.get('code')).toBeNull();
    void config;
  });

  it('answers a code exchange without the verifier with invalid_grant', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { callback, state } = await authorize(config, customer);
    const wrong = client.randomPKCECodeVerifier();
    expect(
      await oauthError(
        client.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: wrong, expectedState: state }),
      ),
    ).toBe('invalid_grant');
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const app = await registerOidcApp();
    const response = await fetch(
      `${server.issuer}/auth?${new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://evil.example/cb',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri');
  });
});

describe('codes and refresh tokens', () => {
  it('a reused authorization code is refused and the tokens issued from it are revoked', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { callback, verifier, state } = await authorize(config, customer, { scope: OFFLINE });
    const first = await client.authorizationCodeGrant(config, callback!, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect((await introspect(app, first.access_token)).active).toBe(true);

    expect(
      await oauthError(
        client.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: verifier, expectedState: state }),
      ),
    ).toBe('invalid_grant');
    expect((await introspect(app, first.access_token)).active).toBe(false);
    expect(await oauthError(client.refreshTokenGrant(config, first.refresh_token!))).toBe('invalid_grant');
  });

  it('refresh tokens rotate; a reused one revokes the whole family', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { tokens } = await signInWithCode(server, config, customer, { scope: OFFLINE });
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    // The thief's replay also ended the legitimate holder's newer token and its access token.
    expect(await oauthError(client.refreshTokenGrant(config, rotated.refresh_token!))).toBe('invalid_grant');
    expect((await introspect(app, rotated.access_token)).active).toBe(false);
  });

  it('withdrawing the app on the privacy page makes its next refresh fail with invalid_grant', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { tokens } = await signInWithCode(server, config, customer, { scope: OFFLINE });
    expect(await setAppAccess(customer.id, app.app.id, false)).toMatchObject({ ok: true });
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });
});

describe('prompt, max_age and acr_values', () => {
  it('prompt=none without a portal session answers login_required at the redirect URI', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const { callback, portalPages } = await authorize(config, null, { prompt: 'none' });
    expect(portalPages).toEqual([]);
    expect(callback?.searchParams.get('error')).toBe('login_required');
  });

  it('max_age older than the portal sign-in asks the customer to prove themselves again (step-up)', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer({ authenticatedAt: new Date(Date.now() - 60 * 60 * 1000) });
    const stale = await authorize(config, customer, { max_age: '60' });
    expect(stale.callback).toBeNull();
    expect(stale.portalPages[0]).toMatch(/^\/authorize\/[\w-]+\/step-up$/);
    // Within max_age: signed in without a page, auth_time given.
    const { tokens } = await signInWithCode(server, config, customer, { extra: { max_age: '7200' } });
    expect(tokens.claims()?.auth_time).toBeTypeOf('number');
  });

  it('acr_values=strong with a fresh sign-in gives the strong acr; with an old one, a step-up', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const fresh = await portalCustomer();
    const { tokens } = await signInWithCode(server, config, fresh, { extra: { acr_values: 'urn:accord:acr:strong' } });
    expect(tokens.claims()?.acr).toBe('urn:accord:acr:strong');
    const old = await portalCustomer({ authenticatedAt: new Date(Date.now() - 60 * 60 * 1000) });
    const { portalPages } = await authorize(config, old, { acr_values: 'urn:accord:acr:strong' });
    expect(portalPages[0]).toMatch(/^\/authorize\/[\w-]+\/step-up$/);
  });
});

describe('revocation and introspection', () => {
  it('a revoked refresh token is refused; introspection answers confidential clients only', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { tokens } = await signInWithCode(server, config, customer, { scope: OFFLINE });

    const seen = await introspect(app, tokens.access_token);
    expect(seen).toMatchObject({ active: true, sub: customer.id, client_id: app.clientId });
    // Another confidential app of the brand (a resource server) may introspect it too.
    const resourceServer = await registerOidcApp();
    expect((await introspect(resourceServer, tokens.access_token)).active).toBe(true);
    // A public client may not.
    const spa = await registerOidcApp({ clientType: 'public' });
    const spaConfig = await relyingParty(server, spa, 'public');
    expect((await client.tokenIntrospection(spaConfig, tokens.access_token)).active).toBe(false);

    // Another app cannot revoke this app's token.
    await client.tokenRevocation(await relyingParty(server, resourceServer), tokens.refresh_token!);
    expect((await introspect(app, tokens.refresh_token!)).active).toBe(true);

    await client.tokenRevocation(config, tokens.refresh_token!);
    expect((await introspect(app, tokens.refresh_token!)).active).toBe(false);
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });
});

describe('ID token hints at end_session', () => {
  it('refuses a hint signed by another issuer and accepts an expired one of ours', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    await signInWithCode(server, config, customer);

    const foreignKey = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ sub: customer.id })
      .setProtectedHeader({ alg: 'RS256', kid: 'foreign' })
      .setIssuer(server.issuer)
      .setAudience(app.clientId)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(foreignKey.privateKey);
    const refused = await fetch(`${server.issuer}/session/end?id_token_hint=${foreign}`, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/id_token_hint/);

    const [ours] = await loadSigningKeys();
    const expired = await new SignJWT({ sub: customer.id })
      .setProtectedHeader({ alg: 'RS256', kid: (ours as { kid: string }).kid })
      .setIssuer(server.issuer)
      .setAudience(app.clientId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(await importJWK(ours as never, 'RS256'));
    const accepted = await fetch(`${server.issuer}/session/end?id_token_hint=${expired}`, { redirect: 'manual' });
    expect(accepted.status).toBe(200);
    void exportJWK;
  });
});

describe('back-channel logout', () => {
  let receiver: Server;
  let received: string[] = [];
  let receiverUrl: string;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, 'localhost', resolve));
    receiverUrl = `http://localhost:${(receiver.address() as AddressInfo).port}/backchannel`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('signing out everywhere in the portal sends each app a signed logout token, once', async () => {
    received = [];
    const app = await registerOidcApp({ backchannelLogoutUri: receiverUrl });
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    const { tokens } = await signInWithCode(server, config, customer);
    const sid = tokens.claims()?.sid;
    expect(sid).toBeTruthy();
    const session = await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { id: true } });

    await revokeOtherSessions(customer.id, session.id);
    const provider = await createProvider({ issuer: server.issuer });
    const outcomes = await deliverBackchannelLogouts(provider);
    expect(outcomes.filter((o) => o.clientId === app.clientId)).toEqual([
      expect.objectContaining({ delivered: true, error: null }),
    ]);
    expect(received).toHaveLength(1);

    const logoutToken = new URLSearchParams(received[0]).get('logout_token')!;
    const { payload, protectedHeader } = await jwtVerify(
      logoutToken,
      createRemoteJWKSet(new URL(`${server.issuer}/jwks`)),
      { issuer: server.issuer, audience: app.clientId },
    );
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).toMatchObject({
      sub: customer.id,
      sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(payload.jti).toBeTruthy();
    expect(payload.iat).toBeTypeOf('number');
    expect(payload).not.toHaveProperty('nonce');

    // Delivered: not sent again.
    expect((await deliverBackchannelLogouts(provider)).filter((o) => o.clientId === app.clientId)).toEqual([]);
  });

  it('retries an app that did not answer 200 and refuses a private destination in production settings', async () => {
    const app = await registerOidcApp({ backchannelLogoutUri: 'http://localhost:1/backchannel' });
    const config = await relyingParty(server, app);
    const customer = await portalCustomer();
    await signInWithCode(server, config, customer);
    const session = await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { id: true } });
    await revokeOtherSessions(customer.id, session.id);
    const provider = await createProvider({ issuer: server.issuer });
    const [outcome] = (await deliverBackchannelLogouts(provider)).filter((o) => o.clientId === app.clientId);
    expect(outcome).toMatchObject({ delivered: false, error: expect.stringMatching(/^network error/) });
    const { rows } = await getPool().query(
      `SELECT consumed_at, (payload->>'attempts')::int AS attempts FROM oidc_payloads WHERE model = 'BackchannelLogout' AND client_id = $1`,
      [app.clientId],
    );
    expect(rows).toEqual([{ consumed_at: null, attempts: 1 }]);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a client spent its token budget, before the provider runs', async () => {
    const app = await registerOidcApp();
    const config = await relyingParty(server, app);
    await getPool().query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ($1, 1000000, $2)
       ON CONFLICT (key) DO UPDATE SET points = EXCLUDED.points, expire = EXCLUDED.expire`,
      [`oidc-token:client:${app.clientId}`, Date.now() + 60_000],
    );
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await response.json()).error).toBe('slow_down');
    void config;
  });

  it('still hands the body to the provider when the client is counted from the form', async () => {
    const app = await registerOidcApp({ clientType: 'public' });
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: app.clientId }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });
});

describe('malformed parameters', () => {
  const form = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });

  it('answers each with the error the specifications name, never a 500 and never a stack', async () => {
    const app = await registerOidcApp();
    const basic = { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` };
    const auth = (params: Record<string, string>) =>
      `${server.issuer}/auth?${new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: REDIRECT_URI,
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
        ...params,
      })}`;
    const cases: Array<[string, string, RequestInit, number, string]> = [
      ['auth without client_id', `${server.issuer}/auth?response_type=code&scope=openid`, {}, 400, 'invalid_request'],
      [
        'auth with an unknown client',
        `${server.issuer}/auth?client_id=nope&response_type=code&scope=openid`,
        {},
        400,
        'invalid_client',
      ],
      [
        'auth with a repeated parameter',
        `${auth({ response_type: 'code', scope: 'openid' })}&state=a&state=b`,
        {},
        303,
        'invalid_request',
      ],
      [
        'auth with response_type token',
        auth({ response_type: 'token', scope: 'openid' }),
        {},
        303,
        'unsupported_response_type',
      ],
      [
        'auth with an unknown prompt',
        auth({ response_type: 'code', scope: 'openid', prompt: 'bogus' }),
        {},
        303,
        'invalid_request',
      ],
      [
        'auth with max_age not a number',
        auth({ response_type: 'code', scope: 'openid', max_age: 'x' }),
        {},
        303,
        'invalid_request',
      ],
      ['token without grant_type', `${server.issuer}/token`, form({}, basic), 400, 'invalid_request'],
      [
        'token with an unknown grant_type',
        `${server.issuer}/token`,
        form({ grant_type: 'password' }, basic),
        400,
        'unsupported_grant_type',
      ],
      [
        'token without a code',
        `${server.issuer}/token`,
        form({ grant_type: 'authorization_code' }, basic),
        400,
        'invalid_request',
      ],
      [
        'token with a bad code',
        `${server.issuer}/token`,
        form(
          { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: 'a'.repeat(43) },
          basic,
        ),
        400,
        'invalid_grant',
      ],
      [
        'token without client authentication',
        `${server.issuer}/token`,
        form({ grant_type: 'refresh_token', refresh_token: 'x' }),
        400,
        'invalid_request',
      ],
      [
        'token with a malformed Basic header',
        `${server.issuer}/token`,
        form({ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: 'Basic %%%' }),
        400,
        'invalid_request',
      ],
      [
        'token with a JSON body',
        `${server.issuer}/token`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...basic }, body: '{"grant_type":' },
        400,
        'invalid_request',
      ],
      [
        'introspection without a token',
        `${server.issuer}/token/introspection`,
        form({}, basic),
        400,
        'invalid_request',
      ],
      ['revocation without a token', `${server.issuer}/token/revocation`, form({}, basic), 400, 'invalid_request'],
      [
        'userinfo with a bad token',
        `${server.issuer}/me`,
        { headers: { authorization: 'Bearer nope' } },
        401,
        'invalid_token',
      ],
      // RFC 6750 §3.1: no credentials is a 401 too.
      ['userinfo without a token', `${server.issuer}/me`, {}, 401, 'invalid_token'],
      [
        'end_session with a garbage hint',
        `${server.issuer}/session/end?id_token_hint=garbage`,
        {},
        400,
        'invalid_request',
      ],
      [
        'end_session with a foreign post_logout_redirect_uri',
        `${server.issuer}/session/end?client_id=${app.clientId}&post_logout_redirect_uri=https://evil.example/`,
        {},
        400,
        'invalid_request',
      ],
    ];
    const results: unknown[] = [];
    const expected: unknown[] = [];
    for (const [name, url, init, status, error] of cases) {
      const response = await fetch(url, { redirect: 'manual', ...init });
      const location = response.headers.get('location');
      const text = await response.text();
      const target = location ? new URL(location, server.origin) : null;
      const seen = target
        ? (target.searchParams.get('error') ?? new URLSearchParams(target.hash.slice(1)).get('error'))
        : (/"error":"(\w+)"/.exec(text)?.[1] ??
          response.headers.get('www-authenticate')?.match(/error="(\w+)"/)?.[1] ??
          /(invalid_\w+|unsupported_\w+)/.exec(text)?.[1]);
      results.push({
        name,
        status: response.status,
        error: seen,
        location: target ? target.origin + target.pathname : undefined,
      });
      expected.push({ name, status, error, location: location ? REDIRECT_URI : undefined });
      expect(text).not.toMatch(/\bat \S+\.(js|ts):\d+/);
    }
    expect(results).toEqual(expected);
  });
});
