/**
 * Third-party sign-in against a real OpenID provider (e2e/oidc-provider.ts, the
 * `oidc-provider` package), the app's real callback, real SMTP and the real
 * database: registration, linking only after the customer proves the account,
 * refusals (unverified email, tampered state, replayed callback, wrong nonce)
 * that write nothing, and unlinking on /account/security.
 */
import type { BrowserContext, Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, SESSION_COOKIE, test, waitForHydration } from './fixtures';
import { extractCode, waitForMail } from './mailbox';

const PROVIDER = 'test';
const PROVIDER_NAME = 'Test IdP';
const CALLBACK = `/api/auth/callback/${PROVIDER}`;
const SIGN_IN_SUBJECT = 'Your sign-in link and code';
const LINKED_SUBJECT = 'A sign-in method was linked to your account';
const REFUSED = /We could not verify the answer from your sign-in provider/;
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

function idpUrl(): string {
  return (process.env.E2E_OIDC_URL ?? 'http://127.0.0.1:3190').replace(/\/$/, '');
}

/** An account at the provider, with the email and email_verified the test needs. Returns its login (and `sub`). */
async function createIdpAccount(input: { email: string; emailVerified: boolean; givenName?: string }): Promise<string> {
  const res = await fetch(`${idpUrl()}/test/accounts`, { method: 'POST', body: JSON.stringify(input) });
  if (res.status !== 201) throw new Error(`the test provider answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { login: string }).login;
}

/** "Sign in with Test IdP" on /signin, then the provider's login page. */
async function signInWithProvider(page: Page, login: string, path = '/signin'): Promise<void> {
  // Signed out at the provider, so it asks who this is again.
  await page.context().clearCookies({ domain: new URL(idpUrl()).hostname });
  await page.goto(path);
  await page.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}` }).click();
  // The first sign-in of a fresh server also fetches the provider's discovery document.
  await expect(page.getByRole('heading', { name: 'Sign in to Test IdP' })).toBeVisible({ timeout: 15_000 });
  expect(new URL(page.url()).origin).toBe(idpUrl());
  await page.getByLabel('Username').fill(login);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/**
 * The callback URL the provider sends the browser to, caught before the app sees it.
 * Playwright does not route the requests of a redirect chain, so the provider's
 * redirects after the login form are followed here, with the browser's cookies.
 */
async function catchCallback(page: Page, login: string): Promise<string> {
  let callback: string | undefined;
  await page.route(
    (url) => url.origin === idpUrl() && /^\/interaction\/[^/]+\/login$/.test(url.pathname),
    async (route) => {
      let location = (await route.fetch({ maxRedirects: 0 })).headers().location;
      while (location && new URL(location, idpUrl()).pathname !== CALLBACK) {
        location = (await page.request.get(new URL(location, idpUrl()).toString(), { maxRedirects: 0 })).headers()
          .location;
      }
      callback = location;
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback caught by the test' });
    },
  );
  await signInWithProvider(page, login);
  await expect.poll(() => callback).toContain(CALLBACK);
  await page.unrouteAll();
  return callback!;
}

/**
 * A Chromium virtual authenticator (DevTools WebAuthn domain). While `present`, it
 * answers every ceremony at once, as a customer touching the fingerprint reader would;
 * otherwise ceremonies wait (the sign-in page's passkey autofill would sign in by itself).
 */
async function addVirtualAuthenticator(page: Page): Promise<{ present: (enabled: boolean) => Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    present: async (enabled) => {
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
    },
  };
}

async function completeWelcome(page: Page, firstName: string): Promise<void> {
  await expect(page).toHaveURL(/\/welcome$/);
  const field = page.getByLabel('First name');
  await waitForHydration(field);
  await field.fill(firstName);
  await page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  // Right after registration a passkey is offered; skipping it is one click.
  await expect(page).toHaveURL(/\/welcome\/passkey$|\/account$/);
  if (page.url().endsWith('/welcome/passkey')) await page.getByRole('link', { name: 'Not now' }).click();
}

async function expectGreeting(page: Page, firstName: string): Promise<void> {
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1, name: `Hello, ${firstName}` })).toBeVisible();
}

async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((c) => c.name === SESSION_COOKIE);
}

/** Everything a third-party sign-in could have written for this identity or address. */
async function writtenFor(email: string, sub: string) {
  const [customers, identities, pending] = await Promise.all([
    prisma.user.count({ where: { email } }),
    prisma.account.count({ where: { provider: PROVIDER, providerAccountId: sub } }),
    prisma.pendingIdentityLink.count({ where: { provider: PROVIDER, providerAccountId: sub } }),
  ]);
  return { customers, identities, pending };
}

test.describe('third-party sign-in', () => {
  test('a new customer registers through the provider, then the first-name step', async ({ page, uniqueEmail }) => {
    const email = uniqueEmail('oidc-new');
    // Capitals at the provider: still stored lower-cased.
    const login = await createIdpAccount({ email: email.toUpperCase(), emailVerified: true, givenName: 'Noor' });
    await signInWithProvider(page, login);

    await completeWelcome(page, 'Noor');
    await expectGreeting(page, 'Noor');

    const customer = await prisma.user.findUniqueOrThrow({
      where: { email },
      select: {
        id: true,
        emailVerified: true,
        onboardedAt: true,
        accounts: {
          select: { provider: true, providerAccountId: true, access_token: true, refresh_token: true, id_token: true },
        },
        sessions: { select: { authMethod: true, userAgent: true, ipPrefix: true } },
      },
    });
    expect(customer.emailVerified).not.toBeNull();
    expect(customer.onboardedAt).not.toBeNull();
    // Sign-in only: none of the provider's tokens is kept.
    expect(customer.accounts).toEqual([
      { provider: PROVIDER, providerAccountId: login, access_token: null, refresh_token: null, id_token: null },
    ]);
    expect(customer.sessions).toEqual([
      {
        authMethod: 'oidc:test',
        userAgent: expect.stringContaining('Chrome'),
        ipPrefix: expect.stringMatching(/^(127\.0\.0\.0\/24|::\/48)$/),
      },
    ]);
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'customer.created' } })).toBe(1);
  });

  test("an existing customer's email is linked only after the emailed code proves the account", async ({
    page,
    customer,
    newDevice,
  }) => {
    const login = await createIdpAccount({ email: customer.email, emailVerified: true, givenName: 'Someone' });
    await signInWithProvider(page, login);

    // Not signed in, not linked: the customer is asked to prove the account first.
    await expect(page).toHaveURL(/\/signin\/link$/);
    await expect(
      page.getByRole('heading', { level: 1, name: `Connect ${PROVIDER_NAME} to your account` }),
    ).toBeVisible();
    await expect(page.getByText(customer.email)).toBeVisible();
    expect(await hasSessionCookie(page.context())).toBe(false);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await writtenFor(customer.email, login)).toEqual({ customers: 1, identities: 0, pending: 1 });

    const before = new Date();
    const sendCode = page.getByRole('button', { name: 'Email me a code' });
    await waitForHydration(sendCode);
    await sendCode.click();
    const mail = await waitForMail(customer.email, { after: before, subjectIncludes: SIGN_IN_SUBJECT });
    await page.getByLabel('Code', { exact: true }).fill(extractCode(mail));
    await page.getByRole('button', { name: 'Confirm and connect' }).click();
    await expectGreeting(page, 'Camille');

    expect(await writtenFor(customer.email, login)).toEqual({ customers: 1, identities: 1, pending: 0 });
    expect(await prisma.session.findMany({ where: { userId: customer.id }, select: { authMethod: true } })).toEqual([
      { authMethod: 'oidc:test' },
    ]);
    const notice = await waitForMail(customer.email, { after: before, subjectIncludes: LINKED_SUBJECT });
    expect(notice.text).toContain(`Your ${PROVIDER_NAME} account can now sign in to your account.`);
    expect(notice.text).toContain('/security/not-me?token=');

    // Next time, on another device, the same identity signs straight in; that
    // session says where it comes from, and the customer hears of the new device.
    const other = await newDevice({ userAgent: FIREFOX_ON_WINDOWS });
    const beforeOther = new Date();
    await signInWithProvider(other, login);
    await expectGreeting(other, 'Camille');
    expect(
      await prisma.session.findMany({
        where: { userId: customer.id },
        select: { authMethod: true, userAgent: true },
        orderBy: { createdAt: 'asc' },
      }),
    ).toEqual([
      { authMethod: 'oidc:test', userAgent: expect.stringContaining('Chrome') },
      { authMethod: 'oidc:test', userAgent: FIREFOX_ON_WINDOWS },
    ]);
    expect(await prisma.pendingIdentityLink.count({ where: { customerId: customer.id } })).toBe(0);
    const newDeviceNotice = await waitForMail(customer.email, {
      after: beforeOther,
      subjectIncludes: 'New sign-in to your account',
    });
    expect(newDeviceNotice.text).toContain('Firefox 128 · Windows 10');
  });

  test("an existing customer's email is linked after one of the account's passkeys proves it", async ({
    page,
    customer,
    signInAs,
  }) => {
    // The customer adds a passkey while signed in, then signs out.
    const authenticator = await addVirtualAuthenticator(page);
    await signInAs(page.context(), customer.id);
    await page.goto('/account/security');
    const add = page.getByRole('button', { name: 'Add a passkey' });
    await waitForHydration(add);
    await add.click();
    await expect(page.getByText(/^Passkey added/)).toBeVisible();
    await page.context().clearCookies({ domain: 'localhost' });

    const login = await createIdpAccount({ email: customer.email, emailVerified: true });
    await authenticator.present(false);
    await signInWithProvider(page, login);
    await expect(page).toHaveURL(/\/signin\/link$/);
    await authenticator.present(true);
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await waitForHydration(usePasskey);
    await usePasskey.click();
    await expectGreeting(page, 'Camille');
    expect(await writtenFor(customer.email, login)).toEqual({ customers: 1, identities: 1, pending: 0 });
    expect(await prisma.session.count({ where: { userId: customer.id, authMethod: 'oidc:test' } })).toBe(1);
  });

  test('an email the provider has not verified is refused and writes nothing', async ({
    page,
    uniqueEmail,
    customer,
  }) => {
    const newEmail = uniqueEmail('oidc-unverified');
    const stranger = await createIdpAccount({ email: newEmail, emailVerified: false });
    await signInWithProvider(page, stranger);
    await expect(page).toHaveURL(/\/signin\?error=oidc-email-unverified/);
    await expect(page.getByText(`${PROVIDER_NAME} has not confirmed that this email address is yours`)).toBeVisible();
    expect(await writtenFor(newEmail, stranger)).toEqual({ customers: 0, identities: 0, pending: 0 });

    // An existing customer's address, unverified: no link offered either.
    const impostor = await createIdpAccount({ email: customer.email, emailVerified: false });
    await signInWithProvider(page, impostor);
    await expect(page).toHaveURL(/\/signin\?error=oidc-email-unverified/);
    expect(await writtenFor(customer.email, impostor)).toEqual({ customers: 1, identities: 0, pending: 0 });
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await hasSessionCookie(page.context())).toBe(false);
  });

  test('a callback with a tampered state is refused, and so is a replayed one', async ({
    page,
    uniqueEmail,
    newDevice,
  }) => {
    const email = uniqueEmail('oidc-state');
    const login = await createIdpAccount({ email, emailVerified: true });
    const callback = await catchCallback(page, login);

    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    await page.goto(tampered.toString());
    await expect(page).toHaveURL(/\/signin\?error=/);
    await expect(page.getByText(REFUSED)).toBeVisible();
    expect(await writtenFor(email, login)).toEqual({ customers: 0, identities: 0, pending: 0 });
    expect(await hasSessionCookie(page.context())).toBe(false);

    // The genuine answer, replayed from another browser (no state cookie there): refused too.
    const attacker = await newDevice();
    await attacker.goto(callback);
    await expect(attacker).toHaveURL(/\/signin\?error=/);
    await expect(attacker.getByText(REFUSED)).toBeVisible();
    expect(await writtenFor(email, login)).toEqual({ customers: 0, identities: 0, pending: 0 });
    expect(await hasSessionCookie(attacker.context())).toBe(false);
  });

  test('a callback replayed after a completed sign-in is refused and starts no session', async ({ page, customer }) => {
    const login = await createIdpAccount({ email: customer.email, emailVerified: true });
    await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: PROVIDER, providerAccountId: login },
    });
    let callback: string | undefined;
    page.on('request', (request) => {
      if (request.url().includes(`${CALLBACK}?`)) callback = request.url();
    });
    await signInWithProvider(page, login);
    await expectGreeting(page, 'Camille');
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(1);

    // Signed out, the same answer again: its state cookie is gone and its code was used.
    await page.context().clearCookies({ domain: 'localhost' });
    await page.goto(callback!);
    await expect(page).toHaveURL(/\/signin\?error=/);
    await expect(page.getByText(REFUSED)).toBeVisible();
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(1);
    expect(await hasSessionCookie(page.context())).toBe(false);
  });

  test('an ID token minted for another nonce is refused and writes nothing', async ({ page, uniqueEmail }) => {
    const email = uniqueEmail('oidc-nonce');
    const login = await createIdpAccount({ email, emailVerified: true });
    // The provider is asked for a token with another nonce than the one this browser's cookie holds.
    await page.route(
      (url) => url.origin === idpUrl() && url.pathname === '/auth',
      async (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('nonce', 'a-nonce-from-another-sign-in');
        await route.continue({ url: url.toString() });
      },
    );
    await signInWithProvider(page, login);
    await expect(page).toHaveURL(/\/signin\?error=/);
    await expect(page.getByText(REFUSED)).toBeVisible();
    expect(await writtenFor(email, login)).toEqual({ customers: 0, identities: 0, pending: 0 });
    expect(await hasSessionCookie(page.context())).toBe(false);
  });

  test('a linked identity is listed on /account/security and can be unlinked', async ({
    signedInPage: page,
    customer,
  }) => {
    await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: PROVIDER, providerAccountId: `sub-${customer.id}` },
    });
    await page.goto('/account/security');
    const section = page.getByRole('region', { name: 'Connected accounts' });
    await expect(section.getByText(PROVIDER_NAME, { exact: true })).toBeVisible();
    await expect(section.getByText(/^Connected on /)).toBeVisible();

    const unlink = section.getByRole('button', { name: `Unlink ${PROVIDER_NAME}` });
    await waitForHydration(unlink);
    page.once('dialog', (dialog) => void dialog.accept());
    await unlink.click();
    await expect(section.getByText(/No connected accounts/)).toBeVisible();
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(0);
    expect(
      await prisma.securityEvent.findMany({ where: { customerId: customer.id }, select: { type: true, detail: true } }),
    ).toEqual([{ type: 'identity.unlinked', detail: { provider: PROVIDER_NAME } }]);
    await expect(page.getByText(`${PROVIDER_NAME} account unlinked`)).toBeVisible();
  });

  test('unlinking on an 11-minute-old sign-in asks to confirm by email code first', async ({
    staleSignedInPage: page,
    customer,
  }) => {
    await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: PROVIDER, providerAccountId: `sub-${customer.id}` },
    });
    await page.goto('/account/security');
    const section = page.getByRole('region', { name: 'Connected accounts' });
    const unlink = section.getByRole('button', { name: `Unlink ${PROVIDER_NAME}` });
    await waitForHydration(unlink);
    page.once('dialog', (dialog) => void dialog.accept());
    await unlink.click();

    const panel = page.getByRole('region', { name: "Confirm it's you" });
    await expect(panel).toBeVisible();
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(1);

    const before = new Date();
    await panel.getByRole('button', { name: 'Email me a code' }).click();
    const code = extractCode(
      await waitForMail(customer.email, { after: before, subjectIncludes: 'Your sign-in link and code' }),
    );
    await panel.getByLabel('Code', { exact: true }).fill(code);
    await panel.getByRole('button', { name: 'Confirm' }).click();

    // The unlink carries on without asking twice.
    await expect(section.getByText(/No connected accounts/)).toBeVisible();
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(0);
  });
});
