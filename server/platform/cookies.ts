import 'server-only';

import { cookies } from 'next/headers';

import { localeCookie } from '@/lib/i18n/config';

import { getEnv } from './env';

// Every cookie the app sets, with its flags, and the only code that sets, reads or
// deletes them (docs/decisions/020-cookies.md). Over https every one is Secure.
// Auth.js's own short-lived cookies (CSRF, state, PKCE, nonce, callback URL) are
// named and flagged by Auth.js from `useSecureCookies: secureCookies()`.

const FIFTEEN_MINUTES_S = 15 * 60;

type CookieSpec = { name: string; httpOnly: boolean; sameSite: 'lax' | 'strict'; maxAge: number };

const COOKIES = {
  /** Binds the sign-in code page to the device that asked for the code (docs/decisions/004). */
  signInChallenge: { name: 'accord.signin', httpOnly: true, sameSite: 'lax', maxAge: FIFTEEN_MINUTES_S },
  /** Where a sign-in started, to go back there; lax: it survives a third-party provider's redirect back. */
  returnTo: { name: 'accord.return-to', httpOnly: true, sameSite: 'lax', maxAge: FIFTEEN_MINUTES_S },
  /** Binds a step-up code to this device; strict: only the account pages, same site, ever use it. */
  stepUp: { name: 'accord.step-up', httpOnly: true, sameSite: 'strict', maxAge: FIFTEEN_MINUTES_S },
  /**
   * The pending third-party identity link (server/identity/identities.ts, same 15 minutes);
   * lax: set while the provider redirects back.
   */
  identityLink: { name: 'accord.identity-link', httpOnly: true, sameSite: 'lax', maxAge: FIFTEEN_MINUTES_S },
  /** Binds the link page's emailed code to this device, as signInChallenge does. */
  identityLinkCode: { name: 'accord.identity-link-code', httpOnly: true, sameSite: 'lax', maxAge: FIFTEEN_MINUTES_S },
  /** The language: next-intl reads it under its own name (lib/i18n/request.ts); not a secret. */
  locale: { name: localeCookie, httpOnly: false, sameSite: 'lax', maxAge: 365 * 24 * 60 * 60 },
} as const satisfies Record<string, CookieSpec>;

export type CookieKind = keyof typeof COOKIES;

/**
 * The session cookie's names. Over https it is `__Host-`: the browser keeps it only if
 * Secure, Path=/ and without Domain, so neither a subdomain nor a plain-http page can
 * set or shadow it. Before ADR 020 it was Auth.js's default `__Secure-` name; that one is
 * still read until the last such cookie expires (30 days), so nobody was signed out.
 * On http (localhost) browsers refuse both prefixes: the plain name.
 */
export const SESSION_COOKIE = {
  http: 'authjs.session-token',
  https: '__Host-authjs.session-token',
  httpsLegacy: '__Secure-authjs.session-token',
} as const;

/** Secure cookies whenever the app is served over https. */
export function secureCookies(): boolean {
  return getEnv().APP_URL.startsWith('https://');
}

export function sessionCookieName(): string {
  return secureCookies() ? SESSION_COOKIE.https : SESSION_COOKIE.http;
}

function olderSessionCookieNames(): string[] {
  return secureCookies() ? [SESSION_COOKIE.httpsLegacy] : [];
}

/** The session cookie's flags; Auth.js gets them too, for the sessions it starts (third-party sign-in). */
export function sessionCookieOptions() {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies() } as const;
}

// A deletion carries the same flags as the cookie: browsers refuse a Secure or
// prefixed cookie's deletion without them.
function flags(kind: CookieKind) {
  const { httpOnly, sameSite } = COOKIES[kind];
  return { httpOnly, sameSite, path: '/', secure: secureCookies() };
}

export async function setCookie(kind: CookieKind, value: string): Promise<void> {
  (await cookies()).set(COOKIES[kind].name, value, { ...flags(kind), maxAge: COOKIES[kind].maxAge });
}

export async function readCookie(kind: CookieKind): Promise<string | undefined> {
  return (await cookies()).get(COOKIES[kind].name)?.value;
}

export async function deleteCookie(kind: CookieKind): Promise<void> {
  (await cookies()).delete({ name: COOKIES[kind].name, ...flags(kind) });
}

/** The session token this browser sent, under the current name or the one before. */
export async function readSessionToken(): Promise<string | undefined> {
  const jar = await cookies();
  for (const name of [sessionCookieName(), ...olderSessionCookieNames()]) {
    const value = jar.get(name)?.value;
    if (value) return value;
  }
  return undefined;
}

/** Sets the session cookie under the current name; a cookie under the older name goes. */
export async function setSessionCookie(token: string, expires: Date): Promise<void> {
  (await cookies()).set(sessionCookieName(), token, { ...sessionCookieOptions(), expires });
  await deleteOlderSessionCookies();
}

export async function deleteSessionCookies(): Promise<void> {
  (await cookies()).delete({ name: sessionCookieName(), ...sessionCookieOptions() });
  await deleteOlderSessionCookies();
}

async function deleteOlderSessionCookies(): Promise<void> {
  const jar = await cookies();
  for (const name of olderSessionCookieNames()) {
    if (jar.has(name)) jar.delete({ name, ...sessionCookieOptions() });
  }
}

/**
 * The console's session cookie (docs/decisions/033-staff-console.md): its own
 * name, never the customer's, so neither session opens the other's pages.
 * SameSite=Strict: console pages have audited side effects (a customer view),
 * so no cross-site navigation may carry it. Expires at the session's absolute end.
 */
export const STAFF_SESSION_COOKIE = { http: 'accord.staff-session', https: '__Host-accord.staff-session' } as const;

function staffSessionCookieName(): string {
  return secureCookies() ? STAFF_SESSION_COOKIE.https : STAFF_SESSION_COOKIE.http;
}

function staffSessionCookieOptions() {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: secureCookies() } as const;
}

export async function setStaffSessionCookie(token: string, expires: Date): Promise<void> {
  (await cookies()).set(staffSessionCookieName(), token, { ...staffSessionCookieOptions(), expires });
}

export async function readStaffSessionToken(): Promise<string | undefined> {
  return (await cookies()).get(staffSessionCookieName())?.value;
}

export async function deleteStaffSessionCookie(): Promise<void> {
  (await cookies()).delete({ name: staffSessionCookieName(), ...staffSessionCookieOptions() });
}

/**
 * The session token in a raw Cookie header, for code outside Next's request
 * scope (the OpenID provider's interaction endpoint, server/oidc/interaction.ts).
 */
export function sessionTokenFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const jar = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of [sessionCookieName(), ...olderSessionCookieNames()]) {
    const value = jar.get(name);
    if (value) return decodeURIComponent(value);
  }
  return undefined;
}
