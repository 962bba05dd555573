// The checkbook example's back-channel logout endpoint (examples/checkbook-app/sign-in.mjs)
// checks a logout token as OpenID Back-Channel Logout 1.0 §2.6 says before it ends
// anything: these tokens come from a provider served here (discovery and JWKS only),
// signed with its key or with another.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// @ts-expect-error the example is plain JavaScript without declarations
import { createSignIn } from '../../examples/checkbook-app/sign-in.mjs';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const CLIENT_ID = 'app_checkbook';
const providerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const kid = randomUUID();

let server: http.Server;
let issuer = '';
let signIn: { backchannelLogout(token: unknown): Promise<number> };

beforeAll(async () => {
  const jwk = { ...(await exportJWK(providerKey)), kid, alg: 'ES256', use: 'sig' };
  delete jwk.d;
  server = http.createServer((req, res) => {
    const metadata = {
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      end_session_endpoint: `${issuer}/session/end`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    };
    const body =
      req.url === '/oidc/.well-known/openid-configuration'
        ? metadata
        : req.url === '/oidc/jwks'
          ? { keys: [jwk] }
          : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accordUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  issuer = `${accordUrl}/oidc`;
  signIn = createSignIn({
    accordUrl,
    clientId: CLIENT_ID,
    clientSecret: 'not used here',
    publicUrl: 'http://localhost:4100',
    scopes: 'openid',
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function logoutToken(
  claims: JWTPayload = {},
  opts: { key?: typeof providerKey; typ?: string; omit?: string[] } = {},
): Promise<string> {
  const payload: JWTPayload = {
    iss: issuer,
    aud: CLIENT_ID,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    sub: randomUUID(),
    sid: randomUUID(),
    events: { [EVENT]: {} },
    ...claims,
  };
  for (const name of opts.omit ?? []) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid, typ: opts.typ ?? 'logout+jwt' })
    .sign(opts.key ?? providerKey);
}

describe('checkbook back-channel logout', () => {
  it('accepts a well-formed logout token (no session of it here: none ended)', async () => {
    await expect(signIn.backchannelLogout(await logoutToken())).resolves.toBe(0);
  });

  it('refuses the same token twice (jti)', async () => {
    const token = await logoutToken();
    await expect(signIn.backchannelLogout(token)).resolves.toBe(0);
    await expect(signIn.backchannelLogout(token)).rejects.toThrow(/replayed/);
  });

  it.each([
    ['a missing token', () => Promise.resolve(undefined), /missing/],
    ['another key’s signature', () => logoutToken({}, { key: otherKey }), /signature/],
    ['another issuer', () => logoutToken({ iss: 'https://evil.example/oidc' }), /iss/],
    ['another audience', () => logoutToken({ aud: 'app_other' }), /aud/],
    ['no logout event', () => logoutToken({ events: { 'urn:other': {} } }), /back-channel logout event/],
    ['an event that is not an object', () => logoutToken({ events: { [EVENT]: 'yes' } }), /back-channel logout event/],
    ['a nonce (an ID token, not a logout token)', () => logoutToken({ nonce: 'n' }), /nonce/],
    ['neither sub nor sid', () => logoutToken({}, { omit: ['sub', 'sid'] }), /neither sub nor sid/],
    ['no jti', () => logoutToken({}, { omit: ['jti'] }), /jti/],
    ['an old token', () => logoutToken({ iat: Math.floor(Date.now() / 1000) - 3600 }), /iat|too old|age/i],
    ['an expired token', () => logoutToken({ exp: Math.floor(Date.now() / 1000) - 60 }), /exp/],
  ])('refuses %s', async (_label, make, reason) => {
    await expect(signIn.backchannelLogout(await make())).rejects.toThrow(reason);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        iss: issuer,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        jti: 'x',
        sub: 's',
        events: { [EVENT]: {} },
      }),
    ).toString('base64url');
    await expect(signIn.backchannelLogout(`${header}.${body}.`)).rejects.toThrow();
  });
});
