import 'server-only';

import { createSecretKey, hkdfSync, randomUUID, type KeyObject } from 'node:crypto';

import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

import { isUuid } from '@/lib/uuid';
import type { FieldPurposes } from '@/server/consent/policy';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { consume, type LimitResult } from '@/server/platform/rate-limit';
import { clientIpOf } from '@/server/platform/request-context';

import { mediaType, readBodyText, requestPath } from './api/http';
import { problem } from './api/problem';
import { TokenRequestSchema, type OAuthErrorCode } from './api/schemas';
import { APP_SCOPES, isClientIdShape, verifyClientCredentials, type AppRecord, type AppScope } from './registry';

// OAuth 2.0 client credentials for the brand's apps (RFC 6749 section 4.4):
// POST /api/oauth/token issues short-lived JWT access tokens (RFC 9068 shape),
// and authenticateApp() checks them on every API request.
// docs/decisions/016-apps-tokens-and-the-consent-policy.md

const TOKEN_TYPE = 'at+jwt';
const REALM = 'accord-api';
const TOKEN_BODY_MAX_BYTES = 4096;
const TOKEN_MAX_LENGTH = 4096;
/** Several instances sign and check tokens: allow their clocks to disagree a little. */
const CLOCK_TOLERANCE_S = 5;

type TokenKeys = { key: KeyObject; verifyKeys: KeyObject[]; issuer: string; audience: string };
let keys: TokenKeys | undefined;

/**
 * The signing key, derived once per process from AUTH_SECRET with HKDF and a
 * purpose of its own, so it is never the key of anything else; during a
 * rotation, tokens signed under AUTH_SECRET_PREVIOUS still verify until they expire.
 */
function tokenKeys(): TokenKeys {
  if (keys) return keys;
  const env = getEnv();
  const derive = (secret: string) =>
    createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'accord', 'accord/api-access-token/HS256/v1', 32)));
  const verifyKeys = env.AUTH_SECRETS.map(derive);
  keys = { key: verifyKeys[0]!, verifyKeys, issuer: env.APP_URL, audience: `${env.APP_URL}/api/v1` };
  return keys;
}

/** The app's token generation: tokens carry it, and rotating the secret or disabling the app moves it on. */
const generationOf = (app: Pick<AppRecord, 'tokensValidAfter'>) => app.tokensValidAfter.getTime();

export type IssuedToken = { accessToken: string; expiresIn: number; scope: string };

/** Signs an access token for the app. `now` and `ttlSeconds` are for tests (expired tokens). */
export async function issueAccessToken(
  app: Pick<AppRecord, 'id' | 'clientId' | 'tokensValidAfter'>,
  scopes: readonly AppScope[],
  opts: { now?: number; ttlSeconds?: number } = {},
): Promise<IssuedToken> {
  const { key, issuer, audience } = tokenKeys();
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const ttl = opts.ttlSeconds ?? getEnv().API_TOKEN_TTL_SECONDS;
  const scope = scopes.join(' ');
  const accessToken = await new SignJWT({ client_id: app.clientId, scope, gen: generationOf(app) })
    .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(app.id)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(key);
  return { accessToken, expiresIn: ttl, scope };
}

// ── The token endpoint ──

function oauthError(
  error: OAuthErrorCode,
  description: string,
  opts: { status?: number; basicChallenge?: boolean } = {},
): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status: opts.status ?? 400,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      ...(opts.basicChallenge ? { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` } : {}),
    },
  });
}

/** Client authentication failed: 401, with the Basic challenge HTTP requires of any 401 (RFC 6749 section 5.2 allows it for both methods). */
const invalidClient = (description: string) =>
  oauthError('invalid_client', description, { status: 401, basicChallenge: true });

/** application/x-www-form-urlencoded decoding of one credential (RFC 6749 section 2.3.1). */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

export type BasicCredentials = { clientId: string; clientSecret: string } | 'malformed' | null;

/** HTTP Basic client authentication (client_secret_basic): null without the header, 'malformed' when it cannot be read. */
export function basicCredentials(request: Request): BasicCredentials {
  const header = request.headers.get('authorization');
  if (header === null) return null;
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) return 'malformed';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  return clientId === null || clientSecret === null ? 'malformed' : { clientId, clientSecret };
}

/**
 * The scopes a token gets: every scope of the app when the request names none;
 * otherwise the ones it names (space-separated), each of which the app must
 * have been registered with, and at least one.
 */
export function grantScopes(
  scope: string | undefined,
  registered: readonly AppScope[],
): { ok: true; scopes: AppScope[] } | { ok: false; refused: string[] } {
  if (scope === undefined) return { ok: true, scopes: [...registered] };
  const requested = scope.split(' ').filter(Boolean);
  const refused = requested.filter((s) => !(registered as readonly string[]).includes(s));
  if (refused.length > 0 || requested.length === 0) return { ok: false, refused };
  return { ok: true, scopes: APP_SCOPES.filter((s) => requested.includes(s)) };
}

/** 429 with Retry-After, as an RFC 9457 problem like the API's other refusals. */
function tooManyTokenRequests(request: Request, limit: Extract<LimitResult, { ok: false }>): Response {
  return problem('too-many-token-requests', {
    instance: requestPath(request),
    headers: { 'Retry-After': String(limit.retryAfterSeconds) },
  });
}

/**
 * POST /api/oauth/token: the client credentials grant, client_secret_basic or
 * client_secret_post. Counted per IP before anything is read, and per client
 * id, right or wrong secret alike, before the secret is checked.
 */
export async function handleTokenRequest(request: Request): Promise<Response> {
  const perIp = await consume([['tokenPerIp', clientIpOf(request)]]);
  if (!perIp.ok) return tooManyTokenRequests(request, perIp);
  const type = mediaType(request);
  if (type !== 'application/x-www-form-urlencoded') {
    return oauthError(
      'invalid_request',
      `the token request is a form (Content-Type: application/x-www-form-urlencoded, RFC 6749 section 4.4.2), not ${type ?? 'an untyped body'}`,
    );
  }
  const body = await readBodyText(request, TOKEN_BODY_MAX_BYTES);
  if (!body.ok)
    return oauthError(
      'invalid_request',
      body.reason === 'too-large' ? 'the request body is too large' : 'the request body is not UTF-8 text',
    );

  const form = new URLSearchParams(body.text);
  const params: Record<string, string> = {};
  for (const [name, value] of form) {
    if (form.getAll(name).length > 1) return oauthError('invalid_request', `the parameter ${name} is repeated`);
    // Section 3.2: a parameter without a value is treated as omitted.
    if (value !== '') params[name] = value;
  }

  const parsed = TokenRequestSchema.safeParse(params);
  if (!parsed.success) {
    if (params.grant_type === undefined) return oauthError('invalid_request', 'grant_type is missing');
    if (parsed.error.issues.some((i) => i.path[0] === 'grant_type')) {
      return oauthError('unsupported_grant_type', 'only grant_type=client_credentials is supported');
    }
    return oauthError(
      'invalid_request',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const { scope, client_id: postId, client_secret: postSecret } = parsed.data;

  const basic = basicCredentials(request);
  if (basic === 'malformed') return invalidClient('the Authorization header is not HTTP Basic client_id:client_secret');
  let clientId: string;
  let clientSecret: string;
  if (basic) {
    if (postSecret !== undefined)
      return oauthError(
        'invalid_request',
        'use one client authentication method: HTTP Basic or client_secret in the body, not both',
      );
    if (postId !== undefined && postId !== basic.clientId)
      return oauthError('invalid_request', 'client_id in the body differs from the one in the Authorization header');
    ({ clientId, clientSecret } = basic);
  } else {
    if (postId === undefined || postSecret === undefined)
      return invalidClient('authenticate the client with HTTP Basic or client_id and client_secret in the body');
    clientId = postId;
    clientSecret = postSecret;
  }

  // An id we never issued cannot be any app's: the per-IP count covers it.
  if (isClientIdShape(clientId)) {
    const perClient = await consume([['tokenPerClient', clientId]]);
    if (!perClient.ok) return tooManyTokenRequests(request, perClient);
  }
  // Unknown client, wrong secret and disabled app are answered alike.
  const app = await verifyClientCredentials(clientId, clientSecret);
  if (!app) return invalidClient('client authentication failed');

  const granted = grantScopes(scope, app.scopes);
  if (!granted.ok) {
    return oauthError(
      'invalid_scope',
      `not a scope of this app: ${granted.refused.join(' ') || '(empty)'}; its scopes are ${app.scopes.join(' ')}`,
    );
  }

  const token = await issueAccessToken(app, granted.scopes);
  return new Response(
    JSON.stringify({
      access_token: token.accessToken,
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      scope: token.scope,
    }),
    { status: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' } },
  );
}

// ── Checking a token on each API request ──

/** What the API knows of the caller once its token is checked. */
export type ApiApp = {
  id: string;
  clientId: string;
  name: string;
  purposes: string[];
  fieldPurposes: FieldPurposes;
  scopes: AppScope[];
};

export type Authentication = { ok: true; app: ApiApp } | { ok: false; response: Response };

/** RFC 6750 section 3: quoted values may hold neither `"` nor `\`. */
export function bearerChallenge(params: Record<string, string>): string {
  return [
    `Bearer realm="${REALM}"`,
    ...Object.entries(params).map(([k, v]) => `${k}="${v.replace(/["\\]/g, "'")}"`),
  ].join(', ');
}

/** 401. Without a token at all, the challenge carries no error code (RFC 6750 section 3.1). */
function invalidToken(request: Request, description: string | null): { ok: false; response: Response } {
  const challenge =
    description === null
      ? bearerChallenge({})
      : bearerChallenge({ error: 'invalid_token', error_description: description });
  return {
    ok: false,
    response: problem('invalid-token', {
      instance: requestPath(request),
      detail: description ?? 'This request carries no access token.',
      headers: { 'WWW-Authenticate': challenge },
    }),
  };
}

export type Claims = { sub: string; clientId: string; scopes: string[]; generation: number; exp: number };

/**
 * Tokens whose signature and claims this process already checked. A check
 * costs 60-120 µs of CPU (about a tenth of a whole bare request here); a
 * lookup costs nothing. Only tokens that passed are kept, so a flood of
 * forged tokens cannot fill it; expiry is checked again at each use, and
 * revocation is the database's (the app's generation), never cached.
 */
const VERIFIED_MAX = 10_000;
const verified = new Map<string, Claims>();

async function verifyToken(token: string): Promise<Claims | { error: string }> {
  const known = verified.get(token);
  if (known) {
    if (Date.now() / 1000 < known.exp + CLOCK_TOLERANCE_S) return known;
    verified.delete(token);
    return { error: 'the access token expired' };
  }
  const claims = await checkToken(token);
  if (!('error' in claims)) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
  }
  return claims;
}

async function checkToken(token: string): Promise<Claims | { error: string }> {
  const { verifyKeys, issuer, audience } = tokenKeys();
  // The key whose signature matches, tried in order (jose takes one key per call).
  const verify = async (index: number): Promise<Awaited<ReturnType<typeof jwtVerify>>> => {
    try {
      return await jwtVerify(token, verifyKeys[index]!, {
        algorithms: ['HS256'],
        typ: TOKEN_TYPE,
        issuer,
        audience,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      });
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed && index + 1 < verifyKeys.length) {
        return verify(index + 1);
      }
      throw error;
    }
  };
  try {
    const { payload } = await verify(0);
    const { sub, client_id: clientId, scope, gen, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof clientId !== 'string' ||
      typeof scope !== 'string' ||
      typeof gen !== 'number' ||
      typeof exp !== 'number'
    ) {
      return { error: 'the access token is not valid' };
    }
    return { sub, clientId, scopes: scope.split(' '), generation: gen, exp };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { error: 'the access token expired' };
    if (error instanceof joseErrors.JOSEError) return { error: 'the access token is not valid' };
    throw error;
  }
}

type AppRow = {
  id: string;
  client_id: string;
  name: string;
  purposes: string[];
  field_purposes: FieldPurposes;
  rate_limit_per_minute: number;
  /** This request's count in the app's current minute, and when that minute ends (ms since the epoch). */
  counted: number;
  window_ends: number;
  now_ms: number;
};

/**
 * The app exists, is enabled and the token is of its current generation
 * (neither the secret rotated nor the app disabled since); if so, the request
 * is counted against the app's per-minute limit in the same statement. The
 * counter is a row of rate_limits (key "app:<id>", points, expire in ms),
 * shared by every instance, reset by the first request after its minute;
 * PostgreSQL's clock, so instances whose clocks disagree share one window.
 * `gate` is the app's row with its count; `r` the reader when everything
 * allows the request (the client id, the limit, the scope: $3, $4), in
 * server/consent/policy.ts's columns, so that a read can follow in the same
 * statement (readCustomersGated): one round trip for the whole API read.
 */
const APP_GATE_CTES = `
app AS (
  SELECT id, client_id, name, purposes, field_purposes, rate_limit_per_minute
  FROM apps
  WHERE id = $1::uuid AND disabled_at IS NULL
    AND (extract(epoch FROM tokens_valid_after) * 1000)::bigint = $2::bigint
), now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
counter AS (
  INSERT INTO rate_limits AS rl (key, points, expire)
  SELECT 'app:' || app.id, 1, now.ms + 60000 FROM app, now
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN rl.expire <= (SELECT ms FROM now) THEN 1 ELSE rl.points + 1 END,
    expire = CASE WHEN rl.expire <= (SELECT ms FROM now) THEN excluded.expire ELSE rl.expire END
  RETURNING points, expire
),
gate AS (
  SELECT app.*, counter.points AS counted, counter.expire AS window_ends, (SELECT ms FROM now) AS now_ms
  FROM app CROSS JOIN counter
),
r AS (
  SELECT id AS app_id, field_purposes, 'app'::text AS accessor_type, client_id AS accessor_id,
    name AS accessor_name, NULL::text AS reason
  FROM gate WHERE client_id = $3 AND counted <= rate_limit_per_minute AND $4::boolean
)`;

export type BearerToken = { ok: true; claims: Claims } | { ok: false; response: Response };

/** The request's bearer token, checked (signature, expiry, issuer, audience) but not yet against its app. */
export async function bearerToken(request: Request): Promise<BearerToken> {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer +(\S+) *$/i.exec(header);
  if (!match)
    return invalidToken(request, header === null ? null : 'send the access token as "Authorization: Bearer <token>"');
  const token = match[1]!;
  if (token.length > TOKEN_MAX_LENGTH) return invalidToken(request, 'the access token is not valid');
  const claims = await verifyToken(token);
  if ('error' in claims) return invalidToken(request, claims.error);
  if (!isUuid(claims.sub)) return invalidToken(request, 'the access token is not valid');
  return { ok: true, claims };
}

/** The app check of a checked token, as CTEs a read can follow (readCustomersGated). */
export function appGate(claims: Claims, requiredScope: AppScope): { name: string; sql: string; values: unknown[] } {
  return {
    name: 'api-app-gate',
    sql: APP_GATE_CTES,
    values: [claims.sub, claims.generation, claims.clientId, claims.scopes.includes(requiredScope)],
  };
}

/** The app check's verdict, in authenticateApp's order: revoked, over its limit, lacking the scope. */
export function judgeApp(
  request: Request,
  claims: Claims,
  row: AppRow | null,
  requiredScope: AppScope,
): Authentication {
  if (!row || row.client_id !== claims.clientId) {
    return invalidToken(request, 'the access token was revoked: the app was disabled or its secret rotated');
  }
  if (row.counted > row.rate_limit_per_minute) {
    const retryAfterSeconds = Math.max(1, Math.ceil((Number(row.window_ends) - Number(row.now_ms)) / 1000));
    return {
      ok: false,
      response: problem('rate-limited', {
        instance: requestPath(request),
        detail: `This app may make ${row.rate_limit_per_minute} requests per minute.`,
        headers: { 'Retry-After': String(retryAfterSeconds) },
      }),
    };
  }
  const scopes = APP_SCOPES.filter((s) => claims.scopes.includes(s));
  if (!scopes.includes(requiredScope)) return insufficientScope(request, requiredScope);
  return {
    ok: true,
    app: {
      id: row.id,
      clientId: row.client_id,
      name: row.name,
      purposes: row.purposes,
      fieldPurposes: row.field_purposes,
      scopes,
    },
  };
}

export type { AppRow as AppGateRow };

/**
 * Checks the request's bearer token (signature, expiry, issuer, audience),
 * that its app exists, is enabled and has not rotated its secret since,
 * that the token carries `requiredScope`, then counts the request against
 * the app's rate limit. The failure response is ready to return (RFC 6750
 * challenges, RFC 9457 bodies).
 */
export async function authenticateApp(request: Request, requiredScope: AppScope): Promise<Authentication> {
  const bearer = await bearerToken(request);
  if (!bearer.ok) return bearer;
  const gate = appGate(bearer.claims, requiredScope);
  const { rows } = await getPool().query<{ gate: AppRow }>({
    name: 'api-app-check',
    text: `WITH ${gate.sql} SELECT to_jsonb(gate) AS gate FROM gate`,
    values: gate.values,
  });
  return judgeApp(request, bearer.claims, rows[0]?.gate ?? null, requiredScope);
}

/** 403 with the RFC 6750 challenge naming the scope needed. */
export function insufficientScope(request: Request, scope: AppScope): Authentication & { ok: false } {
  return {
    ok: false,
    response: problem('insufficient-scope', {
      instance: requestPath(request),
      detail: `This request needs the ${scope} scope.`,
      headers: { 'WWW-Authenticate': bearerChallenge({ error: 'insufficient_scope', scope }) },
    }),
  };
}
