import { MutableRequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies';
import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { requestSignInAction, verifyCodeAction } from '@/app/(auth)/signin/actions';
import { cancelLinkAction, sendLinkCodeAction, verifyLinkCodeAction } from '@/app/(auth)/signin/link/actions';
import { sendStepUpCodeAction, signOutAction, verifyStepUpCodeAction } from '@/app/account/actions';
import { deleteAccountAction } from '@/app/account/privacy/actions';
import { savePersonalDetailsAction } from '@/app/account/profile/actions';
import { setLocaleAction } from '@/app/actions';
import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { getSignedInCustomer, handlers } from '@/server/identity/auth';
import { createPendingIdentityLink } from '@/server/identity/identities';
import { oidcSignIn } from '@/server/identity/oidc';
import { SESSION_COOKIE } from '@/server/platform/cookies';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { latestSignInMail, uniqueEmail, uniqueIp } from './helpers';

// The app served over https: server/platform/env.ts reads this on first use, after this line.
const ENV = {
  APP_URL: 'https://accord.example',
  AUTH_OIDC_ACME_ISSUER: 'https://id.acme.example',
  AUTH_OIDC_ACME_CLIENT_ID: 'accord',
  AUTH_OIDC_ACME_CLIENT_SECRET: 'secret',
  AUTH_OIDC_ACME_NAME: 'Acme ID',
};
Object.assign(process.env, ENV);
afterAll(() => {
  for (const key of Object.keys(ENV)) delete process.env[key];
});

/**
 * A browser: the cookies it holds, and every Set-Cookie header the app sent it.
 * Each request gets the cookie jar Next.js gives a server action (the same adapter),
 * whose updates are the Set-Cookie headers of the response.
 */
const browser = {
  held: new Map<string, string>(),
  sent: [] as string[],
  ip: uniqueIp(),
  jar: null as ReturnType<typeof MutableRequestCookiesAdapter.wrap> | null,
};

vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  cookies: async () => browser.jar,
  headers: async () =>
    new Headers({
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36',
      [CLIENT_IP_HEADER]: browser.ip,
      'accept-language': 'en',
    }),
}));
vi.mock('next-intl/server', () => ({ getLocale: async () => 'en' }));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));

/** Runs one request (an action), as the browser with its cookies; a redirect is an answer too. */
async function request<T>(action: () => Promise<T>): Promise<T | 'redirected'> {
  let setCookies: string[] = [];
  const cookie = [...browser.held].map(([name, value]) => `${name}=${value}`).join('; ');
  browser.jar = MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers({ cookie })), (serialized) => {
    setCookies = serialized;
  });
  try {
    return await action();
  } catch (error) {
    if (error instanceof Error && error.message === 'NEXT_REDIRECT') return 'redirected';
    throw error;
  } finally {
    for (const header of setCookies) {
      browser.sent.push(header);
      const [pair = '', ...attributes] = header.split('; ');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const expired = attributes.some((a) => a.startsWith('Expires=') && new Date(a.slice(8)).getTime() <= Date.now());
      if (expired || value === '') browser.held.delete(name);
      else browser.held.set(name, decodeURIComponent(value));
    }
  }
}

function namesSent(): Set<string> {
  return new Set(browser.sent.map((header) => header.slice(0, header.indexOf('='))));
}

beforeEach(() => {
  browser.held.clear();
  browser.sent = [];
  browser.ip = uniqueIp();
});

describe('cookies over https', () => {
  it('every Set-Cookie of sign-in, language, step-up, linking, sign-out and deletion is Secure', async () => {
    const customer = await createCustomer({ email: uniqueEmail('cookies') });

    // Language switcher, anonymous.
    await request(async () => {
      const form = new FormData();
      form.set('locale', 'fr');
      await setLocaleAction(form);
    });
    // Sign-in with a return path: challenge and return-to cookies, then the session.
    expect(await request(() => requestSignInAction({ email: customer.email }, '/account/privacy'))).toBe('redirected');
    const { code } = await latestSignInMail(customer.email);
    expect(await request(() => verifyCodeAction({ code }))).toBe('redirected');
    expect(browser.held.has(SESSION_COOKIE.https)).toBe(true);
    expect(browser.held.has('accord.signin')).toBe(false);

    // Step-up: the code's cookie, then its deletion.
    expect(await request(() => sendStepUpCodeAction())).toEqual({ ok: true });
    const stepUp = await latestSignInMail(customer.email);
    expect(await request(() => verifyStepUpCodeAction({ code: stepUp.code }))).toEqual({ ok: true });

    // The saved language follows the profile.
    const { version } = await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { version: true } });
    const details = await request(() =>
      savePersonalDetailsAction({
        values: { firstName: 'Camille', lastName: '', phone: '', phoneCountry: 'FR', locale: 'fr' },
        changed: ['locale'],
        version,
      }),
    );
    expect(details).toMatchObject({ ok: true });

    expect(await request(() => signOutAction())).toBe('redirected');
    expect(browser.held.has(SESSION_COOKIE.https)).toBe(false);

    // A third-party sign-in whose email is this customer's: the pending link, its code, then a session.
    const linkAnswer = await request(async () =>
      oidcSignIn({
        account: { type: 'oidc', provider: 'acme', providerAccountId: `sub-${crypto.randomUUID()}` },
        profile: { email: customer.email, email_verified: true },
      } as Parameters<typeof oidcSignIn>[0]),
    );
    expect(linkAnswer).toBe('/signin/link');
    expect(await request(() => sendLinkCodeAction())).toEqual({ ok: true });
    const linkCode = await latestSignInMail(customer.email);
    expect(await request(() => verifyLinkCodeAction({ code: linkCode.code }))).toBe('redirected');
    expect(browser.held.has(SESSION_COOKIE.https)).toBe(true);

    // A second pending link, cancelled.
    browser.held.set('accord.identity-link', await createPendingIdentityLink(customer.id, 'acme', 'sub-other'));
    expect(await request(() => cancelLinkAction())).toBe('redirected');

    // Deletion ends with the session cookie's deletion.
    const deletion = await request(() => deleteAccountAction({ confirmation: customer.email }));
    expect(deletion).toBe('redirected');
    expect(browser.held.has(SESSION_COOKIE.https)).toBe(false);

    // Every cookie the app owns went out (set or deleted) in this run…
    expect([...namesSent()].sort()).toEqual(
      [
        'NEXT_LOCALE',
        'accord.identity-link',
        'accord.identity-link-code',
        'accord.return-to',
        'accord.signin',
        'accord.step-up',
        SESSION_COOKIE.https,
      ].sort(),
    );
    // …and every Set-Cookie, settings and deletions alike, carries Secure and Path=/.
    for (const header of browser.sent) {
      expect(header.split('; '), header).toContain('Secure');
      expect(header.split('; '), header).toContain('Path=/');
      expect(header, header).not.toMatch(/Domain=/i);
    }
  });

  it('flags: the session, step-up and link cookies are HttpOnly; step-up is SameSite=Strict', async () => {
    const customer = await createCustomer({ email: uniqueEmail('cookie-flags') });
    browser.held.set(SESSION_COOKIE.https, (await createSessionFor(customer.id)).token);
    await request(() => sendStepUpCodeAction());
    const stepUp = browser.sent.find((h) => h.startsWith('accord.step-up='));
    expect(stepUp?.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=strict', 'Max-Age=900']));
    await request(() => signOutAction());
    const session = browser.sent.find((h) => h.startsWith(`${SESSION_COOKIE.https}=`));
    expect(session?.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=lax', 'Secure', 'Path=/']));
  });
});

describe('the session cookie under its name before ADR 020', () => {
  it('still signs the customer in; the next sign-in replaces it with the __Host- cookie', async () => {
    const customer = await createCustomer({ email: uniqueEmail('old-cookie') });
    const { token } = await createSessionFor(customer.id);
    browser.held.set(SESSION_COOKIE.httpsLegacy, token);

    const signedIn = await request(() => getSignedInCustomer());
    expect(signedIn).toMatchObject({ id: customer.id, email: customer.email });

    // Step-up inside that session works as in any other.
    expect(await request(() => sendStepUpCodeAction())).toEqual({ ok: true });
    const { code } = await latestSignInMail(customer.email);
    expect(await request(() => verifyStepUpCodeAction({ code }))).toEqual({ ok: true });

    // A new sign-in on this browser moves it to the new name.
    expect(await request(() => requestSignInAction({ email: customer.email }))).toBe('redirected');
    const mail = await latestSignInMail(customer.email);
    expect(await request(() => verifyCodeAction({ code: mail.code }))).toBe('redirected');
    expect(browser.held.has(SESSION_COOKIE.https)).toBe(true);
    expect(browser.held.has(SESSION_COOKIE.httpsLegacy)).toBe(false);
    const deletion = browser.sent.find((h) => h.startsWith(`${SESSION_COOKIE.httpsLegacy}=`));
    expect(deletion?.split('; ')).toEqual(expect.arrayContaining(['Secure', 'Path=/']));
  });

  it('signing out ends that session and deletes that cookie', async () => {
    const customer = await createCustomer({ email: uniqueEmail('old-cookie-out') });
    const { token } = await createSessionFor(customer.id);
    browser.held.set(SESSION_COOKIE.httpsLegacy, token);

    expect(await request(() => signOutAction())).toBe('redirected');
    expect(await prisma.session.count({ where: { sessionToken: sha256(token) } })).toBe(0);
    expect(browser.held.has(SESSION_COOKIE.httpsLegacy)).toBe(false);
    expect(await request(() => getSignedInCustomer())).toBeNull();
  });

  it('a plain, non-Secure name is not a session over https', async () => {
    const customer = await createCustomer({ email: uniqueEmail('plain-cookie') });
    browser.held.set(SESSION_COOKIE.http, (await createSessionFor(customer.id)).token);
    expect(await request(() => getSignedInCustomer())).toBeNull();
  });

  it('Auth.js reads the __Host- name: its session endpoint knows the customer (third-party sign-ins get this cookie from Auth.js)', async () => {
    const customer = await createCustomer({ email: uniqueEmail('authjs-cookie') });
    const { token } = await createSessionFor(customer.id);
    const { NextRequest } = await import('next/server');
    const answer = await handlers.GET(
      new NextRequest('https://accord.example/api/auth/session', {
        headers: { cookie: `${SESSION_COOKIE.https}=${token}` },
      }),
    );
    expect(await answer.json()).toMatchObject({ user: { email: customer.email } });
  });
});
