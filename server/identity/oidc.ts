import 'server-only';

import type { NextAuthConfig, User } from 'next-auth';
import type { Adapter, AdapterSession, AdapterUser } from 'next-auth/adapters';
import type { OIDCConfig } from 'next-auth/providers';
import { headers } from 'next/headers';

import { isLocale } from '@/lib/i18n/config';
import { negotiateLocale } from '@/lib/i18n/negotiate';
import { EmailSchema } from '@/lib/validation/email';
import { PersonNameSchema } from '@/lib/validation/onboarding';
import { readCookie, readSessionToken, setCookie } from '@/server/platform/cookies';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';
import { writeEvent } from '@/server/platform/outbox';
import { getRequestContext, ipPrefix } from '@/server/platform/request-context';

import {
  createPendingIdentityLink,
  decideOidcSignIn,
  findCustomerIdByEmail,
  findLinkedCustomer,
  providerName,
} from './identities';
import { recordSecurityEvent } from './security-events';
import { rememberDevice } from './sessions';

// Third-party sign-in with any OpenID Connect provider configured from the
// environment (server/platform/env.ts, README "Third-party sign-in"). Auth.js runs the
// protocol (PKCE, state and nonce checked); this file decides what a verified
// identity may do (server/identity/identities.ts decideOidcSignIn) and makes the rows
// Auth.js writes look like ours. docs/decisions/008-openid-connect-sign-in.md

type Provider = NonNullable<NextAuthConfig['providers']>[number];
type SignInCallback = NonNullable<NonNullable<NextAuthConfig['callbacks']>['signIn']>;

type Claims = { sub?: unknown; email?: unknown; email_verified?: unknown; given_name?: unknown };

/** The providers the sign-in page offers: id and display name only. */
export function listOidcProviders(): Array<{ id: string; name: string }> {
  return getEnv().oidcProviders.map(({ id, name }) => ({ id, name }));
}

export function isOidcProvider(id: unknown): id is string {
  return typeof id === 'string' && getEnv().oidcProviders.some((p) => p.id === id);
}

/** Auth.js's generic OpenID Connect provider, once per configured provider. */
export function oidcProviders(): Provider[] {
  return getEnv().oidcProviders.map((p): OIDCConfig<Claims> => ({
    id: p.id,
    name: p.name,
    type: 'oidc',
    issuer: p.issuer,
    clientId: p.clientId,
    clientSecret: p.clientSecret,
    checks: ['pkce', 'state', 'nonce'],
    authorization: { params: { scope: 'openid email profile' } },
    // Only what the customer record uses; the picture and full name are not kept.
    profile: (claims) =>
      ({
        id: String(claims.sub),
        email: emailFrom(claims.email),
        name: null,
        image: null,
        firstName: firstNameFrom(claims.given_name),
      }) as User,
    // Sign-in only: no access, refresh or ID token of the third party is stored.
    account: () => ({}),
  }));
}

function emailFrom(value: unknown): string | null {
  const parsed = EmailSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function firstNameFrom(value: unknown): string | null {
  const parsed = PersonNameSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The customer this browser is signed in as, if any. */
async function signedInCustomerId(): Promise<string | null> {
  const token = await readSessionToken();
  if (!token) return null;
  const session = await prisma.session.findUnique({
    where: { sessionToken: sha256(token) },
    select: { userId: true, expires: true },
  });
  return session && session.expires > new Date() ? session.userId : null;
}

/**
 * Auth.js's signIn callback: runs after Auth.js verified the provider's answer
 * (state, PKCE, nonce, ID token signature) and before it writes anything.
 * true lets Auth.js sign in or register; a path redirects there instead.
 */
export const oidcSignIn: SignInCallback = async ({ account, profile }) => {
  if (account?.type !== 'oidc' || !isOidcProvider(account.provider)) return false;
  const provider = account.provider;
  const claims = (profile ?? {}) as Claims;
  const email = emailFrom(claims.email);
  const [linkedCustomerId, signedInCustomer, existingCustomerId] = await Promise.all([
    findLinkedCustomer(provider, account.providerAccountId),
    signedInCustomerId(),
    email ? findCustomerIdByEmail(email) : null,
  ]);
  const decision = decideOidcSignIn({
    linkedCustomerId,
    signedInCustomerId: signedInCustomer,
    email,
    emailVerified: claims.email_verified === true,
    existingCustomerId,
  });
  switch (decision.action) {
    case 'sign-in':
    case 'register':
      return true;
    case 'confirm-link': {
      const token = await createPendingIdentityLink(decision.customerId, provider, account.providerAccountId);
      await setCookie('identityLink', token);
      return '/signin/link';
    }
    case 'refuse':
      getLogger().warn({ component: 'oidc', provider }, `sign-in refused: ${decision.reason}`);
      if (decision.reason === 'signed-in') return '/account';
      return `/signin?${new URLSearchParams({ error: `oidc-${decision.reason}`, provider })}`;
  }
};

/** The provider of an Auth.js callback request (/api/auth/callback/<id>), if it is one of ours. */
function callbackProvider(request: Request | undefined): string | null {
  if (!request) return null;
  const id = /\/callback\/([^/?]+)$/.exec(new URL(request.url).pathname)?.[1];
  return isOidcProvider(id) ? id : null;
}

/**
 * Wraps the Auth.js adapter for third-party sign-ins, where Auth.js writes the
 * rows itself: a new customer is created as our own sign-in creates one
 * (lower-cased, verified email, first name, language, outbox event), and a
 * session carries the device, network and method as startSession()'s do, with
 * the same new-device notice.
 */
export function withOidcSignIns(adapter: Adapter, request: Request | undefined): Adapter {
  const { createSession, linkAccount } = adapter;
  if (!createSession || !linkAccount) throw new Error('Session and account adapter methods are required');
  return {
    ...adapter,
    createUser: async (user) => registerCustomer(user),
    linkAccount: async (account) => {
      await linkAccount({
        type: account.type,
        provider: account.provider,
        providerAccountId: account.providerAccountId,
        userId: account.userId,
      });
      // Only a registration gets here (server/identity/identities.ts decideOidcSignIn): nothing to warn about.
      await recordSecurityEvent(
        account.userId,
        'identity.linked',
        { provider: providerName(account.provider) },
        { notify: false },
      );
    },
    createSession: async (session) => {
      const provider = callbackProvider(request);
      const { ip, userAgent } = await getRequestContext();
      const created = await createSession({
        ...session,
        authMethod: `oidc:${provider ?? 'unknown'}`,
        userAgent,
        ipPrefix: ipPrefix(ip),
      } as AdapterSession);
      const device = await rememberDevice(session.userId, userAgent, ipPrefix(ip));
      if (device.isNew)
        await recordSecurityEvent(session.userId, 'sign_in.new_device', { device: device.label }, { notify: true });
      await rememberLocale(session.userId);
      // Auth.js puts this value in the cookie: the raw token, not the stored hash.
      return { ...created, sessionToken: session.sessionToken };
    },
  };
}

async function registerCustomer(user: AdapterUser): Promise<AdapterUser> {
  const email = emailFrom(user.email);
  // decideOidcSignIn lets only a verified email get here.
  if (!email) throw new Error('A third-party registration needs an email address');
  const firstName = firstNameFrom((user as AdapterUser & { firstName?: unknown }).firstName);
  const [chosen, h] = await Promise.all([readCookie('locale'), headers()]);
  const locale = negotiateLocale(chosen, h.get('accept-language'));
  return prisma.$transaction(async (tx) => {
    const customer = await tx.user.create({
      data: { email, emailVerified: new Date(), firstName, locale },
      select: { id: true, email: true, emailVerified: true, name: true, image: true },
    });
    await writeEvent(tx, 'customer.created', customer.id, { fields: firstName ? ['email', 'firstName'] : ['email'] });
    return customer;
  });
}

/** The customer's saved language follows them to this device, as startSession() does. */
async function rememberLocale(customerId: string): Promise<void> {
  const customer = await prisma.user.findUnique({ where: { id: customerId }, select: { locale: true } });
  if (customer && isLocale(customer.locale)) {
    await setCookie('locale', customer.locale);
  }
}
