/**
 * Issue 17's acceptance, in a real browser: Accord as the brand's OpenID
 * provider, with the checkbook example app (examples/checkbook-app, a separate
 * process signing in with openid-client) as the relying party.
 *   - signed in to the portal, the customer opens Checkbook and is signed in
 *     there without typing anything (single sign-on; the consent screen is a
 *     click), and Checkbook shows their name;
 *   - signing out of the portal signs them out of Checkbook (back-channel
 *     logout, delivered by the app server's worker);
 *   - a second app asking for email shows the consent screen; refusing that
 *     optional claim gives an ID token (and userinfo) without it;
 *   - withdrawing Checkbook's access on the privacy page makes its next
 *     refresh fail with invalid_grant.
 * Each test registers its own apps and starts its own Checkbook on a free port.
 */
import { randomBytes } from 'node:crypto';

import type { Page, Route } from '@playwright/test';
import * as oidc from 'openid-client';

import { createApp, updateAppSignIn, type CreatedApp } from '../server/apps/registry';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { startCheckbook, stopCheckbook, type Checkbook } from './checkbook';
import { expect, test, waitForHydration } from './fixtures';
import { ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';

// Two servers, a worker and a dozen redirects on a 2-core machine shared with the other Playwright worker.
test.describe.configure({ timeout: 90_000 });

type OidcRegistration = {
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
  scopes: string[];
  requiredClaims: string[];
  optionalClaims?: string[];
};

/** Makes a registered app an OpenID client, as `npm run apps -- set-sign-in` does. */
async function registerOidc(app: CreatedApp, r: OidcRegistration): Promise<void> {
  const updated = await updateAppSignIn(
    {
      clientId: app.app.clientId,
      redirectUris: r.redirectUris,
      postLogoutRedirectUris: r.postLogoutRedirectUris ?? [],
      ...(r.backchannelLogoutUri ? { backchannelLogoutUri: r.backchannelLogoutUri } : {}),
      oidcScopes: r.scopes,
      requiredClaims: r.requiredClaims,
      optionalClaims: r.optionalClaims ?? [],
    },
    TEST_ACTOR,
  );
  expect(updated?.redirectUris).toEqual(r.redirectUris);
}

async function newApp(label: string, fields: string): Promise<CreatedApp> {
  return createApp(
    {
      name: `${label}-${randomBytes(4).toString('hex')}`,
      description: 'Orders your checkbooks and sends them to your home address.',
      purposes: 'service',
      fields,
    },
    TEST_ACTOR,
  );
}

/** Checkbook, registered with Accord as an OpenID client with back-channel logout, on a free port. */
async function checkbookSignedInWithAccord(accordURL: string): Promise<{ app: CreatedApp; checkbook: Checkbook }> {
  const app = await newApp('checkbook', 'name');
  const checkbook = await startCheckbook(app, accordURL, { port: 0 });
  await registerOidc(app, {
    redirectUris: [`${checkbook.url}/callback`],
    postLogoutRedirectUris: [`${checkbook.url}/`],
    backchannelLogoutUri: `${checkbook.url}/backchannel-logout`,
    scopes: ['openid', 'profile', 'offline_access'],
    requiredClaims: ['name', 'given_name', 'family_name'],
  });
  return { app, checkbook };
}

/** The consent screen of an interaction: the app's name, its claims, Refuse / Allow. */
const consentScreen = (page: Page) => page.getByRole('main');

/** Checkbook's "Sign in with Accord", through SSO and the consent screen, back to Checkbook. */
async function signInToCheckbook(shop: Page, checkbook: Checkbook, app: CreatedApp): Promise<void> {
  await shop.goto(checkbook.url);
  await shop.getByRole('link', { name: 'Sign in with Accord' }).click();
  await expect(shop).toHaveURL(/\/authorize\/[^/]+\/consent/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect(consentScreen(shop)).toContainText(app.app.name);
  expect(await seriousViolations(shop)).toEqual([]);
  const allow = shop.getByRole('button', { name: 'Allow' });
  await waitForHydration(allow);
  await allow.click();
  await expect(shop).toHaveURL(new RegExp(`^${checkbook.url}/`), { timeout: ROUND_TRIPS_TIMEOUT });
}

async function cleanUp(apps: CreatedApp[], checkbooks: Array<Checkbook | undefined>): Promise<void> {
  for (const app of apps) await prisma.app.delete({ where: { id: app.app.id } }).catch(() => undefined);
  for (const checkbook of checkbooks) await stopCheckbook(checkbook);
}

async function attachOutput(checkbook: Checkbook | undefined): Promise<void> {
  const info = test.info();
  if (checkbook && info.status !== info.expectedStatus)
    await info.attach('checkbook app output', { body: checkbook.output.join(''), contentType: 'text/plain' });
}

test('signed in to the portal, the customer is signed in to Checkbook without typing; signing out of the portal signs them out there (back-channel)', async ({
  signedInPage: page,
  baseURL,
}) => {
  let registered: { app: CreatedApp; checkbook: Checkbook } | undefined;
  try {
    registered = await checkbookSignedInWithAccord(baseURL!);
    const { app, checkbook } = registered;
    const shop = await page.context().newPage();
    // Every page the browser lands on: none may be the portal's sign-in (nothing to type).
    const visited: string[] = [];
    shop.on('framenavigated', (frame) => {
      if (frame === shop.mainFrame()) visited.push(frame.url());
    });

    await test.step('Checkbook → Accord (already signed in: straight to the consent screen) → Checkbook, signed in', async () => {
      await signInToCheckbook(shop, checkbook, app);
      await expect(shop.getByRole('banner')).toContainText('Signed in as Camille');
      expect(visited.filter((url) => new URL(url).pathname.startsWith('/signin'))).toEqual([]);
      await shop.getByRole('link', { name: 'Your account' }).click();
      await expect(shop.getByRole('region', { name: 'Name' })).toContainText('Camille');
    });

    await test.step('a second visit is single sign-on without any screen of Accord', async () => {
      const again = await page.context().newPage();
      // A new Checkbook session (its cookie cleared), the same Accord session and grant.
      await page.context().clearCookies({ name: 'checkbook_session' });
      await again.goto(`${checkbook.url}/signin`);
      // offline_access asks with prompt=consent, so the consent screen may show again: one click, no typing.
      if (/\/authorize\/[^/]+\/consent/.test(again.url())) {
        const allow = again.getByRole('button', { name: 'Allow' });
        await waitForHydration(allow);
        await allow.click();
      }
      expect(new URL(again.url()).pathname).not.toMatch(/^\/signin/);
      await expect(again.getByRole('banner')).toContainText('Signed in as Camille');
      await again.close();
    });

    await test.step('signing out of the portal: Checkbook signs the customer out too (back-channel logout)', async () => {
      await page.goto('/account');
      const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
      await waitForHydration(signOut);
      await signOut.click();
      await expect(page).toHaveURL(/\/signin/);
      // Delivered by the app server's worker, at least once: a moment, not a page load.
      await expect
        .poll(
          async () => {
            // Checkbook's home page (its /account would send a signed-out customer on to Accord's sign-in).
            await shop.goto(checkbook.url);
            return shop.getByRole('banner').innerText();
          },
          { timeout: 20_000, intervals: [250, 500, 1_000] },
        )
        .toContain('Sign in with Accord');
      expect(checkbook.output.join('')).toMatch(/back-channel logout: [1-9]\d* session\(s\) ended/);
    });
  } finally {
    await attachOutput(registered?.checkbook);
    await cleanUp(registered ? [registered.app] : [], [registered?.checkbook]);
  }
});

test('a second app asking for email shows the consent screen; refusing the optional claim gives an ID token without it', async ({
  signedInPage: page,
  customer,
  baseURL,
}) => {
  const app = await newApp('newsletter', 'name,email');
  // The second app is this test, as a relying party with openid-client; its redirect URI is
  // answered by the browser's route below, so the code never leaves this test.
  const redirectUri = 'http://localhost:49151/newsletter/callback';
  const clientSecret = app.clientSecret;
  try {
    await registerOidc(app, {
      redirectUris: [redirectUri],
      scopes: ['openid', 'profile', 'email'],
      requiredClaims: ['name', 'given_name', 'family_name'],
      optionalClaims: ['email'],
    });
    const config = await oidc.discovery(
      new URL(`${baseURL}/oidc`),
      app.app.clientId,
      undefined,
      oidc.ClientSecretBasic(clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    let callback: URL | undefined;
    await page.route(`${redirectUri}**`, async (route: Route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'the newsletter app got its answer' });
    });

    await page.goto(authorizationUrl.href);
    await expect(page).toHaveURL(/\/authorize\/[^/]+\/consent/);
    const screen = consentScreen(page);
    await expect(screen).toContainText(app.app.name);
    // Email is optional: a switch, on until the customer turns it off; the name is required: listed, no switch.
    const email = screen.getByRole('switch', { name: 'Your email address' });
    await waitForHydration(email);
    await expect(email).toBeChecked();
    await expect(screen.getByRole('switch', { name: /name/i })).toHaveCount(0);
    expect(await seriousViolations(page)).toEqual([]);
    // Keyboard only: the switch, then Allow.
    await email.focus();
    await page.keyboard.press('Space');
    await expect(email).not.toBeChecked();
    await screen.getByRole('button', { name: 'Allow' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => callback?.href, { timeout: 15_000 }).toBeDefined();

    const tokens = await oidc.authorizationCodeGrant(config, callback!, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims()!;
    expect(idToken.sub).toBe(customer.id);
    expect(idToken).not.toHaveProperty('email');
    expect(idToken).not.toHaveProperty('email_verified');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, customer.id);
    expect(userinfo).not.toHaveProperty('email');
    // The required claim is released: the refusal took only what was refused.
    expect(userinfo.given_name ?? userinfo.name).toContain('Camille');
  } finally {
    await cleanUp([app], []);
  }
});

test("withdrawing Checkbook's access on the privacy page makes its next refresh fail with invalid_grant", async ({
  signedInPage: page,
  baseURL,
}) => {
  let registered: { app: CreatedApp; checkbook: Checkbook } | undefined;
  try {
    registered = await checkbookSignedInWithAccord(baseURL!);
    const { app, checkbook } = registered;
    const shop = await page.context().newPage();
    await signInToCheckbook(shop, checkbook, app);
    await shop.goto(`${checkbook.url}/account`);
    const refresh = shop.getByRole('button', { name: 'Refresh from Accord' });

    await test.step('before: a refresh works (and rotates the refresh token)', async () => {
      await refresh.click();
      await expect(shop.getByRole('status')).toHaveText('Read again from Accord just now.');
      await shop.getByRole('button', { name: 'Refresh from Accord' }).click();
      await expect(shop.getByRole('status')).toHaveText('Read again from Accord just now.');
    });

    await test.step('the customer withdraws Checkbook on /account/privacy', async () => {
      await page.goto('/account/privacy');
      const item = page
        .getByRole('region', { name: 'Apps with access' })
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: app.app.name, exact: true }) });
      const withdraw = item.getByRole('button', { name: `Withdraw access: ${app.app.name}` });
      await waitForHydration(withdraw);
      await withdraw.click();
      await expect(item.getByText(`${app.app.name} no longer sees your data. It applies at once.`)).toBeVisible({
        timeout: 15_000,
      });
    });

    await test.step("Checkbook's next refresh: invalid_grant, and Checkbook signs the customer out", async () => {
      await shop.getByRole('button', { name: 'Refresh from Accord' }).click();
      await expect(shop.getByRole('heading', { level: 1 })).toHaveText(
        'Accord no longer lets Checkbook act for you: sign in again.',
      );
      await expect(shop.getByText('Accord said: invalid_grant')).toBeVisible();
      await shop.goto(checkbook.url);
      await expect(shop.getByRole('banner')).toContainText('Sign in with Accord');
    });
  } finally {
    await attachOutput(registered?.checkbook);
    await cleanUp(registered ? [registered.app] : [], [registered?.checkbook]);
  }
});
