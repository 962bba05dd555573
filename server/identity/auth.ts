import 'server-only';

import { PrismaAdapter } from '@auth/prisma-adapter';
import NextAuth from 'next-auth';
import { redirect } from 'next/navigation';
import { cache } from 'react';

import { isLocale, type Locale } from '@/lib/i18n/config';
import { endProviderSessions } from '@/server/oidc/grants';
import {
  deleteSessionCookies,
  readSessionToken,
  secureCookies,
  sessionCookieName,
  sessionCookieOptions,
  setCookie,
  setSessionCookie,
} from '@/server/platform/cookies';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { getPool, prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { errorMessage, getLogger } from '@/server/platform/log';
import { getRequestContext, ipPrefix } from '@/server/platform/request-context';

import { withHashedSessionTokens } from './auth-adapter';
import { oidcProviders, oidcSignIn, withOidcSignIns } from './oidc';
import { recordSecurityEvent } from './security-events';
import { deleteAgedSession, isRecentlyAuthenticated, isSessionTooOld, rememberDevice, touchSession } from './sessions';

const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

// A function so the environment is read at the first request, not at build time.
export const { auth, handlers, signIn } = NextAuth((request) => {
  const env = getEnv();
  // Auth.js builds its URLs (callbacks, redirects, the providers' redirect_uri) from AUTH_URL, or
  // else from the request's Host and X-Forwarded-Host, which a client can choose. AUTH_URL also
  // makes it trust the host. docs/decisions/029-trusted-proxies.md
  process.env.AUTH_URL = env.APP_URL;
  return {
    // The request tells a third-party session which provider it came from (server/identity/oidc.ts).
    adapter: withOidcSignIns(withHashedSessionTokens(PrismaAdapter(prisma)), request),
    // Signs with the first, accepts each: AUTH_SECRET_PREVIOUS during a rotation.
    secret: env.AUTH_SECRETS,
    useSecureCookies: secureCookies(),
    // Auth.js writes it for third-party sign-ins; our reads also take its older name (server/platform/cookies.ts).
    cookies: { sessionToken: { name: sessionCookieName(), options: sessionCookieOptions() } },
    session: { strategy: 'database', maxAge: SESSION_MAX_AGE_S, updateAge: 24 * 60 * 60 },
    providers: oidcProviders(),
    pages: { signIn: '/signin', error: '/signin' },
    // Auth.js's own logger prints an error's details to the console, ID token
    // claims (the email) included: its errors go to the JSON log by type only.
    logger: {
      error: (error) =>
        getLogger().error(
          { component: 'auth', type: (error as { type?: string }).type ?? error.name },
          errorMessage(error),
        ),
      warn: (code) => getLogger().warn({ component: 'auth' }, code),
      debug: () => {},
    },
    callbacks: {
      signIn: oidcSignIn,
      // Only what pages need; the default drops the id.
      async session({ session, user }) {
        const customer = user as typeof user & { firstName: string | null; onboardedAt: Date | null; locale: string };
        const row = session as typeof session & { id: string; authenticatedAt: Date };
        return {
          expires: session.expires,
          sessionId: row.id,
          authenticatedAt: row.authenticatedAt.toISOString(),
          user: {
            id: customer.id,
            email: customer.email,
            name: customer.firstName,
            firstName: customer.firstName,
            onboarded: customer.onboardedAt !== null,
            locale: customer.locale,
          },
        };
      },
    },
  };
});

export type SignedInCustomer = {
  id: string;
  sessionId: string;
  /** When this session last proved who the customer is (sign-in or step-up). */
  authenticatedAt: Date;
  email: string;
  firstName: string | null;
  onboarded: boolean;
  locale: Locale;
};

/**
 * The signed-in customer, or null: one indexed SQL read per request (cached),
 * straight from the cookie. Auth.js writes and ends sessions; reading them here
 * skips its per-call Request/Response and CSRF work (npm run bench measured it).
 * Same rules as Auth.js: the SHA-256 of the cookie, an unexpired row, the expiry
 * slid forward at most once a day; and a session older than SESSION_MAX_AGE_DAYS
 * is signed out, however active (server/identity/sessions.ts deleteAgedSession).
 */
export const getSignedInCustomer = cache(async (): Promise<SignedInCustomer | null> => {
  const token = await readSessionToken();
  if (!token) return null;
  const { rows } = await getPool().query<{
    session_id: string;
    expires: Date;
    created_at: Date;
    authenticated_at: Date;
    last_active_at: Date;
    customer_id: string;
    email: string;
    first_name: string | null;
    onboarded_at: Date | null;
    locale: string;
  }>({
    // Named (prepared): parsed and planned once per connection, not on every request.
    name: 'accord-session',
    text: `SELECT s.id AS session_id, s.expires, s.authenticated_at, s.last_active_at,
            s.created_at,
            c.id AS customer_id, c.email, c.first_name, c.onboarded_at, c.locale
       FROM sessions s JOIN customers c ON c.id = s.user_id
      WHERE s.session_token_hash = $1 AND s.expires > now()`,
    values: [sha256(token)],
  });
  const row = rows[0];
  if (!row) return null;
  if (isSessionTooOld(row.created_at, getEnv().SESSION_MAX_AGE_DAYS)) {
    await deleteAgedSession(row.session_id);
    return null;
  }
  await touchSession(row.session_id, row.last_active_at, row.expires, SESSION_MAX_AGE_S);
  return {
    id: row.customer_id,
    sessionId: row.session_id,
    authenticatedAt: row.authenticated_at,
    email: row.email,
    firstName: row.first_name,
    onboarded: row.onboarded_at !== null,
    locale: isLocale(row.locale) ? row.locale : 'en',
  };
});

/**
 * Every page, action and route for customers starts here. Redirects to
 * /signin without a session and to /welcome until onboarding is done.
 */
export async function requireCustomer(
  opts: { allowPending?: boolean; returnTo?: string } = {},
): Promise<SignedInCustomer> {
  const customer = await getSignedInCustomer();
  if (!customer) {
    redirect(opts.returnTo ? `/signin?callbackUrl=${encodeURIComponent(opts.returnTo)}` : '/signin');
  }
  if (!customer.onboarded && !opts.allowPending) redirect('/welcome');
  return customer;
}

/**
 * Starts an Auth.js database session for a customer who just proved their
 * identity by our own means (email code or link, passkey), and sets the
 * cookie Auth.js reads.
 */
export async function startSession(
  customerId: string,
  method: 'email-code' | 'email-link' | 'passkey' | `oidc:${string}`,
): Promise<void> {
  const token = randomToken();
  const expires = new Date(Date.now() + SESSION_MAX_AGE_S * 1000);
  const { ip, userAgent } = await getRequestContext();
  const customer = await prisma.session.create({
    data: {
      sessionToken: sha256(token),
      userId: customerId,
      expires,
      authMethod: method,
      userAgent,
      ipPrefix: ipPrefix(ip),
    },
    select: { user: { select: { locale: true } } },
  });
  const device = await rememberDevice(customerId, userAgent, ipPrefix(ip));
  if (device.isNew)
    await recordSecurityEvent(customerId, 'sign_in.new_device', { device: device.label }, { notify: true });
  await setSessionCookie(token, expires);
  // The customer's saved language follows them to every device.
  if (isLocale(customer.user.locale)) await setCookie('locale', customer.user.locale);
}

/**
 * Signs this browser out: the session row is deleted, so its cookie is worthless
 * everywhere, and the cookie goes, under whichever name it came (Auth.js's
 * signOut knows only the current name).
 */
export async function endSession(): Promise<void> {
  const token = await readSessionToken();
  if (token) {
    // Signing out of the portal signs out of the brand's apps (issue 17): in one transaction with the session's end.
    await prisma.$transaction(async (tx) => {
      const session = await tx.session.findUnique({ where: { sessionToken: sha256(token) }, select: { userId: true } });
      if (!session) return;
      await tx.session.deleteMany({ where: { sessionToken: sha256(token) } });
      await endProviderSessions(tx, session.userId, 'sign-out');
    });
  }
  await deleteSessionCookies();
}

/**
 * Sensitive changes (passkeys, email, export, deletion) need a sign-in or
 * step-up within the last 10 minutes. Returns the action result that makes the
 * form ask for it inline, or null when the session is recent enough.
 */
export function stepUpRequired(customer: SignedInCustomer): { ok: false; stepUp: true; message: string } | null {
  return isRecentlyAuthenticated(customer.authenticatedAt)
    ? null
    : { ok: false, stepUp: true, message: 'stepUp.required' };
}
