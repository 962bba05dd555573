// Signing customers in with Accord, the brand's OpenID provider: the
// authorization code flow with PKCE through `openid-client` (a certified
// relying party), RP-initiated logout, and OpenID Back-Channel Logout 1.0
// (Accord tells this app that a customer signed out of the portal).
// Checkbook's own sessions are in memory: a restart signs everyone out here,
// never at Accord.
import { randomBytes } from 'node:crypto';

import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';

const SESSION_COOKIE = 'checkbook_session';
const SIGN_IN_COOKIE = 'checkbook_sign_in';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SIGN_IN_TTL_MS = 10 * 60 * 1000;
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Accord signs a logout token when it delivers it; retries make one a few minutes old at most. */
const LOGOUT_TOKEN_MAX_AGE = '10m';

/** Accord refused to renew the session: the customer withdrew the app, or the grant was revoked. */
export class AccessEndedError extends Error {
  /** @param {string} code the OAuth error, e.g. invalid_grant */
  constructor(code) {
    super(`Accord refused to renew the session (${code})`);
    this.code = code;
  }
}

function parseCookies(header) {
  const cookies = new Map();
  for (const part of String(header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

const newId = () => randomBytes(32).toString('base64url');

/**
 * @param {{ accordUrl: string, clientId: string, clientSecret: string, publicUrl: string, scopes: string }} settings
 */
export function createSignIn({ accordUrl, clientId, clientSecret, publicUrl, scopes }) {
  const issuer = new URL(`${accordUrl.replace(/\/+$/, '')}/oidc`);
  const base = publicUrl.replace(/\/+$/, '');
  const redirectUri = `${base}/callback`;
  const secure = base.startsWith('https://');
  // Over https the __Host- prefix pins the cookie to this origin.
  const cookieName = (name) => (secure ? `__Host-${name}` : name);
  const cookie = (name, value, maxAgeMs) =>
    `${cookieName(name)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`;

  /** @type {Map<string, { verifier: string, state: string, nonce: string, returnTo: string, expiresAt: number }>} */
  const pending = new Map();
  /**
   * @typedef {{ id: string, csrf: string, sub: string, sid: string | null, claims: Record<string, unknown>,
   *   idToken: string, accessToken: string, refreshToken: string | null, expiresAt: number }} Session
   * @type {Map<string, Session>}
   */
  const sessions = new Map();
  /** Logout tokens already used (jti): a replayed one is refused. */
  const seenLogoutTokens = new Map();

  /** @type {Promise<oidc.Configuration> | null} */
  let discovered = null;
  /** Discovered on first use, so Checkbook starts even while Accord is down; a failure is retried next time. */
  function configuration() {
    discovered ??= oidc
      .discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error) => {
        discovered = null;
        throw error;
      });
    return discovered;
  }
  let jwks = null;
  async function keys() {
    const config = await configuration();
    jwks ??= createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
    return jwks;
  }

  function purge(now = Date.now()) {
    for (const [key, value] of pending) if (value.expiresAt < now) pending.delete(key);
    for (const [key, value] of sessions) if (value.expiresAt < now) sessions.delete(key);
    for (const [key, expiresAt] of seenLogoutTokens) if (expiresAt < now) seenLogoutTokens.delete(key);
  }
  setInterval(purge, 60_000).unref();

  function sessionOf(req) {
    const id = parseCookies(req.headers.cookie).get(cookieName(SESSION_COOKIE));
    const session = id ? sessions.get(id) : undefined;
    if (!session || session.expiresAt < Date.now()) return null;
    return session;
  }

  function displayName(claims) {
    const name = claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(' ');
    return typeof name === 'string' && name ? name : null;
  }

  return {
    /** The signed-in customer of this request, or null. */
    current(req) {
      const session = sessionOf(req);
      return session
        ? { sub: session.sub, name: displayName(session.claims), claims: session.claims, csrf: session.csrf }
        : null;
    },

    /** A form's CSRF token matches the session's (the session cookie alone would let another site post). */
    checkCsrf(req, token) {
      const session = sessionOf(req);
      return Boolean(session && typeof token === 'string' && token === session.csrf);
    },

    /** GET /signin: off to Accord's authorization endpoint, with PKCE, state and nonce kept for the callback. */
    async start(req) {
      const config = await configuration();
      const url = new URL(req.url, base);
      const wanted = url.searchParams.get('return') ?? '/';
      // Only a path of this app: never an open redirect.
      const returnTo = /^\/(?![/\\])/.test(wanted) ? wanted : '/';
      const verifier = oidc.randomPKCECodeVerifier();
      const attempt = {
        verifier,
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        returnTo,
        expiresAt: Date.now() + SIGN_IN_TTL_MS,
      };
      const key = newId();
      pending.set(key, attempt);
      const parameters = {
        redirect_uri: redirectUri,
        scope: scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: attempt.state,
        nonce: attempt.nonce,
      };
      // A refresh token (offline_access) is only issued on an explicit consent prompt (OpenID Connect Core §11).
      if (scopes.split(' ').includes('offline_access')) parameters.prompt = 'consent';
      return {
        location: oidc.buildAuthorizationUrl(config, parameters).href,
        cookies: [cookie(SIGN_IN_COOKIE, key, SIGN_IN_TTL_MS)],
      };
    },

    /** GET /callback: the code exchanged (PKCE verifier, state and nonce checked), the session started. */
    async callback(req) {
      const key = parseCookies(req.headers.cookie).get(cookieName(SIGN_IN_COOKIE));
      const attempt = key ? pending.get(key) : undefined;
      if (key) pending.delete(key);
      const clear = cookie(SIGN_IN_COOKIE, '', 0);
      if (!attempt || attempt.expiresAt < Date.now()) return { error: 'expired', cookies: [clear] };
      const config = await configuration();
      const current = new URL(req.url, base);
      if (current.searchParams.has('error')) {
        // access_denied (the customer refused), login_required…: said as is, nothing more.
        return { error: current.searchParams.get('error'), cookies: [clear] };
      }
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: attempt.verifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        // Logged without the code or any token: only what went wrong.
        console.error(`checkbook: sign-in refused: ${error.code ?? ''} ${error.error ?? ''} ${error.message}`);
        return { error: error.error ?? 'sign_in_failed', cookies: [clear] };
      }
      const idClaims = tokens.claims();
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      const previous = sessionOf(req);
      if (previous) sessions.delete(previous.id);
      const session = {
        id: newId(),
        csrf: newId(),
        sub: idClaims.sub,
        sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
        claims: { ...userinfo, ...idClaims },
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? null,
        expiresAt: Date.now() + SESSION_TTL_MS,
      };
      sessions.set(session.id, session);
      return { returnTo: attempt.returnTo, cookies: [clear, cookie(SESSION_COOKIE, session.id, SESSION_TTL_MS)] };
    },

    /**
     * The customer's details again from Accord: a refresh token grant (Accord
     * rotates the refresh token) and userinfo. Throws AccessEndedError and
     * ends the session when Accord refuses the refresh.
     */
    async refresh(req) {
      const session = sessionOf(req);
      if (!session) return null;
      if (!session.refreshToken) throw new AccessEndedError('no_refresh_token');
      const config = await configuration();
      let tokens;
      try {
        tokens = await oidc.refreshTokenGrant(config, session.refreshToken);
      } catch (error) {
        if (error instanceof oidc.ResponseBodyError) {
          sessions.delete(session.id);
          throw new AccessEndedError(error.error);
        }
        throw error;
      }
      session.accessToken = tokens.access_token;
      session.refreshToken = tokens.refresh_token ?? session.refreshToken;
      if (tokens.id_token) session.idToken = tokens.id_token;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, session.sub);
      // Replaced, not merged: a claim Accord no longer releases disappears here too.
      session.claims = { ...userinfo, sub: session.sub };
      return { name: displayName(session.claims), claims: session.claims };
    },

    /** POST /signout: ends the session here, then at Accord (RP-initiated logout), back to the home page. */
    async signOut(req) {
      const session = sessionOf(req);
      const clear = cookie(SESSION_COOKIE, '', 0);
      if (!session) return { location: '/', cookies: [clear] };
      sessions.delete(session.id);
      const config = await configuration();
      const location = oidc.buildEndSessionUrl(config, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${base}/`,
      }).href;
      return { location, cookies: [clear] };
    },

    /**
     * POST /backchannel-logout: a logout token checked as OpenID Back-Channel
     * Logout 1.0 §2.6 says, then every session of that Accord session (sid) or,
     * without a sid, of that customer (sub) ends. Returns how many ended, or
     * throws with the reason the token was refused.
     */
    async backchannelLogout(logoutToken) {
      if (typeof logoutToken !== 'string' || !logoutToken) throw new Error('logout_token is missing');
      const config = await configuration();
      const metadata = config.serverMetadata();
      const { payload } = await jwtVerify(logoutToken, await keys(), {
        issuer: metadata.issuer,
        audience: clientId,
        algorithms: metadata.id_token_signing_alg_values_supported?.filter((alg) => alg !== 'none'),
        requiredClaims: ['iat', 'jti', 'events'],
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE,
      });
      const event = payload.events?.[BACKCHANNEL_EVENT];
      if (typeof event !== 'object' || event === null || Array.isArray(event))
        throw new Error('not a back-channel logout event');
      if ('nonce' in payload) throw new Error('a logout token carries no nonce');
      if (typeof payload.sub !== 'string' && typeof payload.sid !== 'string') throw new Error('neither sub nor sid');
      if (seenLogoutTokens.has(payload.jti)) throw new Error('logout token replayed');
      seenLogoutTokens.set(payload.jti, Date.now() + 15 * 60 * 1000);
      let ended = 0;
      for (const [id, session] of sessions) {
        // The Accord session when both sides know it, else every session of the customer.
        const match =
          typeof payload.sid === 'string' && session.sid
            ? session.sid === payload.sid && (typeof payload.sub !== 'string' || payload.sub === session.sub)
            : typeof payload.sub === 'string' && payload.sub === session.sub;
        if (match) {
          sessions.delete(id);
          ended++;
        }
      }
      return ended;
    },
  };
}
