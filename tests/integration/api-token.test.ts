import { createHmac, hkdfSync } from 'node:crypto';

import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { issueAccessToken } from '@/server/apps/oauth';
import { rotateClientSecret, setAppDisabled } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { basic, getCustomer, patchCustomer, problemOf, registerApp, requestToken, tokenFor } from './api-helpers';
import { uniqueEmail, uniqueIp } from './helpers';

const grant = { grant_type: 'client_credentials' };

async function oauthErrorOf(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { error: string; error_description?: string };
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  return body;
}

describe('POST /api/oauth/token', () => {
  let customerId: string;
  beforeAll(async () => {
    await ensureConsentPurposes();
    customerId = (await createCustomer({ email: uniqueEmail('token') })).id;
  });

  it('issues a bearer token to client_secret_basic, usable on the API at once', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'basic' });
    const res = await requestToken(grant, { Authorization: basic(app.clientId, clientSecret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: getEnv().API_TOKEN_TTL_SECONDS,
      scope: 'customers:read customers:write preferences:write',
    });

    // RFC 9068 shape.
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: getEnv().APP_URL,
      aud: `${getEnv().APP_URL}/api/v1`,
      sub: app.id,
      client_id: app.clientId,
    });
    expect(claims.exp! - claims.iat!).toBe(getEnv().API_TOKEN_TTL_SECONDS);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    const read = await getCustomer(token, customerId);
    expect(read.status).toBe(200);
  });

  it('issues a token to client_secret_post, with the scopes asked for', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'post' });
    const res = await requestToken({
      ...grant,
      client_id: app.clientId,
      client_secret: clientSecret,
      scope: 'customers:read',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('customers:read');
    expect(decodeJwt(body.access_token).scope).toBe('customers:read');
    expect((await getCustomer(body.access_token, customerId)).status).toBe(200);
    // That token cannot write.
    const write = await patchCustomer(body.access_token, customerId, {}, { ifMatch: '"1"' });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toBe(
      'Bearer realm="accord-api", error="insufficient_scope", scope="customers:write"',
    );
    expect((await problemOf(write)).type).toMatch(/#problem-insufficient-scope$/);
  });

  it('accepts credentials form-encoded inside Basic (RFC 6749 section 2.3.1) and a client_id repeated in the body', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'enc' });
    const encoded = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    expect((await requestToken({ ...grant, client_id: app.clientId }, { Authorization: encoded })).status).toBe(200);
  });

  it('refuses two client authentication methods at once, a JSON body, a repeated parameter', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'both' });
    const both = await requestToken(
      { ...grant, client_id: app.clientId, client_secret: clientSecret },
      { Authorization: basic(app.clientId, clientSecret) },
    );
    expect(both.status).toBe(400);
    expect((await oauthErrorOf(both)).error).toBe('invalid_request');

    const otherId = await requestToken(
      { ...grant, client_id: 'app_someone_else' },
      { Authorization: basic(app.clientId, clientSecret) },
    );
    expect((await oauthErrorOf(otherId)).error).toBe('invalid_request');

    const asJson = await requestToken(
      JSON.stringify({ ...grant, client_id: app.clientId, client_secret: clientSecret }),
      { 'Content-Type': 'application/json' },
    );
    expect(asJson.status).toBe(400);
    const jsonError = await oauthErrorOf(asJson);
    expect(jsonError.error).toBe('invalid_request');
    expect(jsonError.error_description).toContain('application/x-www-form-urlencoded');

    const repeated = await requestToken(`grant_type=client_credentials&scope=customers:read&scope=customers:write`, {
      Authorization: basic(app.clientId, clientSecret),
    });
    expect((await oauthErrorOf(repeated)).error).toBe('invalid_request');
  });

  it('answers a wrong secret, an unknown client or no authentication with invalid_client and a Basic challenge', async () => {
    const { app } = await registerApp({ tag: 'wrong' });
    for (const res of [
      await requestToken(grant, { Authorization: basic(app.clientId, 'cs_wrong') }),
      await requestToken(grant, { Authorization: basic('app_unknown', 'cs_wrong') }),
      await requestToken({ ...grant, client_id: app.clientId, client_secret: 'cs_wrong' }),
      await requestToken(grant),
      await requestToken({ ...grant, client_id: app.clientId }),
      await requestToken(grant, { Authorization: 'Basic !!!' }),
      await requestToken(grant, { Authorization: 'Bearer something' }),
      // A NUL byte would make PostgreSQL refuse the query: a 401 still, never a 500.
      await requestToken({ ...grant, client_id: `${app.clientId}\u0000`, client_secret: 'cs_wrong' }),
      await requestToken(grant, { Authorization: basic('app_\u0000', 'x') }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="accord-api"/);
      expect((await oauthErrorOf(res)).error).toBe('invalid_client');
    }
  });

  it('refuses other grants, a missing grant and scopes the app was not given', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'scope', scopes: ['customers:read'] });
    const auth = { Authorization: basic(app.clientId, clientSecret) };
    const password = await requestToken({ grant_type: 'password', username: 'a', password: 'b' }, auth);
    expect(password.status).toBe(400);
    expect((await oauthErrorOf(password)).error).toBe('unsupported_grant_type');
    expect((await oauthErrorOf(await requestToken({ scope: 'customers:read' }, auth))).error).toBe('invalid_request');
    // An empty value counts as absent (RFC 6749 section 3.2).
    expect((await oauthErrorOf(await requestToken({ grant_type: '' }, auth))).error).toBe('invalid_request');

    for (const scope of ['customers:write', 'customers:read customers:write', 'admin', '   ']) {
      const res = await requestToken({ ...grant, scope }, auth);
      expect(res.status, scope).toBe(400);
      expect((await oauthErrorOf(res)).error, scope).toBe('invalid_scope');
    }
    const ok = await requestToken({ ...grant, scope: 'customers:read' }, auth);
    expect(((await ok.json()) as { scope: string }).scope).toBe('customers:read');
  });

  it('gives a disabled app no token, and its tokens stop working', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'disabled' });
    const token = await tokenFor(app);
    expect((await getCustomer(token, customerId)).status).toBe(200);
    await setAppDisabled(app.clientId, true, TEST_ACTOR);

    const res = await requestToken(grant, { Authorization: basic(app.clientId, clientSecret) });
    expect(res.status).toBe(401);
    expect((await oauthErrorOf(res)).error).toBe('invalid_client');
    const read = await getCustomer(token, customerId);
    expect(read.status).toBe(401);
    expect(read.headers.get('www-authenticate')).toMatch(/^Bearer realm="accord-api", error="invalid_token"/);

    // Enabled again: a new token works, the old one stays revoked.
    await setAppDisabled(app.clientId, false, TEST_ACTOR);
    const fresh = (await (await requestToken(grant, { Authorization: basic(app.clientId, clientSecret) })).json()) as {
      access_token: string;
    };
    expect((await getCustomer(fresh.access_token, customerId)).status).toBe(200);
    expect((await getCustomer(token, customerId)).status).toBe(401);
  });

  it('revokes every earlier token when the secret is rotated, and only the new secret works', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'rotate' });
    const before = (
      (await (await requestToken(grant, { Authorization: basic(app.clientId, clientSecret) })).json()) as {
        access_token: string;
      }
    ).access_token;
    expect((await getCustomer(before, customerId)).status).toBe(200);

    const rotated = (await rotateClientSecret(app.clientId, TEST_ACTOR))!;
    const after = await requestToken(grant, { Authorization: basic(app.clientId, rotated.clientSecret) });
    expect(after.status).toBe(200);
    // Issued in the very same second as the rotation: still valid (tokens carry the app's generation, not a time).
    expect(
      (await getCustomer(((await after.json()) as { access_token: string }).access_token, customerId)).status,
    ).toBe(200);

    const old = await getCustomer(before, customerId);
    expect(old.status).toBe(401);
    expect((await problemOf(old)).detail).toMatch(/revoked/);
    expect((await requestToken(grant, { Authorization: basic(app.clientId, clientSecret) })).status).toBe(401);
  });

  it('refuses an expired token with a 401 saying so', async () => {
    const { app } = await registerApp({ tag: 'expired' });
    const now = Math.floor(Date.now() / 1000);
    const { accessToken } = await issueAccessToken(app, app.scopes, { now: now - 700, ttlSeconds: 600 });
    const res = await getCustomer(accessToken, customerId);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="accord-api", error="invalid_token", error_description="the access token expired"',
    );
    const body = await problemOf(res);
    expect(body).toMatchObject({
      title: 'Invalid or missing access token',
      detail: 'the access token expired',
      instance: `/api/v1/customers/${customerId}`,
    });

    // Still valid a second before its expiry.
    const { accessToken: fresh } = await issueAccessToken(app, app.scopes, { now: now - 599, ttlSeconds: 600 });
    expect((await getCustomer(fresh, customerId)).status).toBe(200);

    // A token checked once (and kept as verified) still expires on time.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 10_000);
      const later = await getCustomer(fresh, customerId);
      expect(later.status).toBe(401);
      expect((await problemOf(later)).detail).toBe('the access token expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses forged, altered, foreign and absent tokens', async () => {
    const { app } = await registerApp({ tag: 'forged' });
    const good = await tokenFor(app);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const now = Math.floor(Date.now() / 1000);
    const claims = decodeJwt(good);
    const otherKey = new TextEncoder().encode('x'.repeat(32));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const forged = [
      // Signed with another key.
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(otherKey),
      // Payload changed (more scope), signature kept.
      `${header}.${b64({ ...claims, scope: 'customers:read customers:write preferences:write admin' })}.${signature}`,
      // alg none.
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      // Signed with the raw AUTH_SECRET instead of the derived key.
      (() => {
        const h = b64({ alg: 'HS256', typ: 'at+jwt' });
        return `${h}.${payload}.${createHmac('sha256', getEnv().AUTH_SECRET).update(`${h}.${payload}`).digest('base64url')}`;
      })(),
      'not-a-jwt',
      `${good}x`,
      'a'.repeat(5000),
    ];
    for (const token of forged) {
      const res = await getCustomer(token, customerId);
      expect(res.status, token.slice(0, 40)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      await problemOf(res);
    }

    // The key is HKDF-derived from AUTH_SECRET for this purpose: with it, only the right claims pass.
    const key = new Uint8Array(
      hkdfSync('sha256', getEnv().AUTH_SECRET, 'accord', 'accord/api-access-token/HS256/v1', 32),
    );
    const sign = (c: JWTPayload, typ = 'at+jwt') => new SignJWT(c).setProtectedHeader({ alg: 'HS256', typ }).sign(key);
    const fresh: JWTPayload = { ...claims, iat: now, exp: now + 60 };
    expect((await getCustomer(await sign(fresh), customerId)).status).toBe(200);
    for (const [label, token] of [
      ['audience', await sign({ ...fresh, aud: 'https://elsewhere.example/api' })],
      ['issuer', await sign({ ...fresh, iss: 'https://elsewhere.example' })],
      ['type', await sign(fresh, 'JWT')],
      ['generation', await sign({ ...fresh, gen: undefined })],
      ['older generation', await sign({ ...fresh, gen: (fresh.gen as number) - 1 })],
      ['subject', await sign({ ...fresh, sub: 'not-a-uuid' })],
      ['unknown app', await sign({ ...fresh, sub: '00000000-0000-4000-8000-000000000000' })],
      ['no expiry', await sign({ ...fresh, exp: undefined })],
    ] as const) {
      expect((await getCustomer(token, customerId)).status, label).toBe(401);
    }
    // Another app's id under this client id.
    const other = await registerApp({ tag: 'other' });
    expect((await getCustomer(await tokenFor({ ...other.app, clientId: app.clientId }), customerId)).status).toBe(401);

    // No token at all: a challenge without an error code (RFC 6750 section 3.1).
    const none = await getCustomer(null, customerId);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="accord-api"');
    await problemOf(none);
    const wrongScheme = await getCustomer(null, customerId, { Authorization: `Token ${good}` });
    expect(wrongScheme.status).toBe(401);
    // RFC 6750 section 3: the description is a quoted-string without quotes of its own.
    expect(wrongScheme.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="accord-api", error="invalid_token", error_description="[^"\\]*"$/,
    );
  });

  it('answers over the per-app rate limit with 429 and Retry-After, per app', async () => {
    const { app } = await registerApp({ tag: 'limited', rateLimitPerMinute: 2 });
    const token = await tokenFor(app);
    expect((await getCustomer(token, customerId)).status).toBe(200);
    expect((await getCustomer(token, customerId)).status).toBe(200);
    const limited = await getCustomer(token, customerId);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await problemOf(limited)).toMatchObject({
      title: 'Too many requests for this app',
      detail: 'This app may make 2 requests per minute.',
    });

    // Another app is not affected; the counter is a row of rate_limits.
    const other = await registerApp({ tag: 'unlimited' });
    expect((await getCustomer(await tokenFor(other.app), customerId)).status).toBe(200);
    const row = await prisma.$queryRaw<
      Array<{ points: number }>
    >`SELECT points FROM rate_limits WHERE key = ${`app:${app.id}`}`;
    expect(row[0]?.points).toBe(3);

    // The refused read was neither made nor logged (the check and the read are one statement).
    const logged = () => prisma.dataAccessLog.count({ where: { customerId, accessorId: app.clientId } });
    expect(await logged()).toBe(2);

    // A new window starts once the old one is over.
    await prisma.$executeRaw`UPDATE rate_limits SET expire = ${Date.now() - 1} WHERE key = ${`app:${app.id}`}`;
    expect((await getCustomer(token, customerId)).status).toBe(200);
    expect(await logged()).toBe(3);
  });

  it('reads and logs nothing for a token without customers:read, a disabled app or another client id', async () => {
    const { app } = await registerApp({ tag: 'no-read' });
    const logged = () => prisma.dataAccessLog.count({ where: { customerId, accessorId: app.clientId } });
    const writeOnly = (await issueAccessToken(app, ['customers:write'])).accessToken;
    const refused = await getCustomer(writeOnly, customerId);
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/#problem-insufficient-scope$/);

    const other = await registerApp({ tag: 'other-client' });
    const forged = (await issueAccessToken({ ...app, clientId: other.app.clientId }, ['customers:read'])).accessToken;
    expect((await getCustomer(forged, customerId)).status).toBe(401);

    const token = await tokenFor(app);
    expect((await getCustomer(token, customerId)).status).toBe(200);
    expect(await logged()).toBe(1);
    await setAppDisabled(app.clientId, true, TEST_ACTOR);
    expect((await getCustomer(token, customerId)).status).toBe(401);
    expect(await logged()).toBe(1);
  });
});

describe('POST /api/oauth/token limits', () => {
  async function tooMany(res: Response) {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(await problemOf(res)).toMatchObject({
      title: 'Too many token requests',
      status: 429,
      instance: '/api/oauth/token',
    });
  }

  it('counts requests per client id, wrong secrets included, whatever the IP', async () => {
    const { app, clientSecret } = await registerApp({ tag: 'token-limit' });
    // Default 60 per client id per 15 minutes.
    for (let i = 0; i < 60; i++) {
      const res = await requestToken(grant, {
        Authorization: basic(app.clientId, 'wrong-secret'),
        [CLIENT_IP_HEADER]: uniqueIp(),
      });
      expect(res.status).toBe(401);
    }
    await tooMany(
      await requestToken(grant, { Authorization: basic(app.clientId, clientSecret), [CLIENT_IP_HEADER]: uniqueIp() }),
    );
    // Another app is not affected.
    const other = await registerApp({ tag: 'token-free' });
    const res = await requestToken(grant, { Authorization: basic(other.app.clientId, other.clientSecret) });
    expect(res.status).toBe(200);
  });

  it('counts requests per IP (an IPv6 /64 as one), malformed ones included', async () => {
    const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:5`;
    // Default 300 per IP per 15 minutes.
    for (let i = 0; i < 300; i++) {
      const res = await requestToken('grant_type=client_credentials', {
        'Content-Type': 'text/plain',
        [CLIENT_IP_HEADER]: `${network}::${(i + 1).toString(16)}`,
      });
      expect(res.status).toBe(400);
    }
    const { app, clientSecret } = await registerApp({ tag: 'token-ip' });
    await tooMany(
      await requestToken(grant, {
        Authorization: basic(app.clientId, clientSecret),
        [CLIENT_IP_HEADER]: `${network}::1`,
      }),
    );
    const elsewhere = await requestToken(grant, {
      Authorization: basic(app.clientId, clientSecret),
      [CLIENT_IP_HEADER]: uniqueIp(),
    });
    expect(elsewhere.status).toBe(200);
  });
});
