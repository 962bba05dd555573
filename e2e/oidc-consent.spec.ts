/**
 * The consent screen of an app's sign-in request (issue 17 item 3): an app's
 * first request for a customer shows the app and the claims it asks for;
 * optional ones are switches the customer may turn off, and what was turned off
 * is not in what the app receives; Refuse sends the app access_denied; by
 * keyboard alone; axe finds nothing serious; in French too. A customer not
 * signed in is asked to sign in "to continue to <app>".
 */
import { createHash, randomBytes } from 'node:crypto';

import type { Page } from '@playwright/test';

import { createApp, type AppInput } from '../server/apps/registry';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';
import { extractCode, waitForMail } from './mailbox';

test.describe.configure({ timeout: 90_000 });

// Nothing listens there: the browser's arrival at the app is intercepted (page.route).
const REDIRECT_URI = 'http://localhost:56709/callback';

const appIds: string[] = [];
test.afterEach(async () => {
  await prisma.app.deleteMany({ where: { id: { in: appIds.splice(0) } } });
});

/** A confidential client asking for the name (required) and the email (optional), both shared for the service. */
async function registerClient(extra: Partial<AppInput> = {}) {
  const created = await createApp(
    {
      name: `e2e-shop-${randomBytes(4).toString('hex')}`,
      description: 'Sells you cheque books.',
      purposes: 'service',
      fields: 'name,email',
      redirectUris: REDIRECT_URI,
      oidcScopes: 'openid,profile,email',
      requiredClaims: 'name,given_name',
      optionalClaims: 'email',
      ...extra,
    },
    TEST_ACTOR,
  );
  appIds.push(created.app.id);
  return created;
}

type Discovery = { authorization_endpoint: string; token_endpoint: string; userinfo_endpoint: string };

async function discovery(page: Page): Promise<Discovery> {
  const response = await page.request.get('/oidc/.well-known/openid-configuration');
  expect(response.status()).toBe(200);
  return (await response.json()) as Discovery;
}

/** Starts an authorization request (code + PKCE) in the browser; resolves with the app's callback URL. */
async function authorize(
  page: Page,
  clientId: string,
  scope = 'openid profile email',
  extra: Record<string, string> = {},
) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const endpoints = await discovery(page);
  const url = new URL(endpoints.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope,
    state,
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const arrived = new Promise<URL>((resolve) =>
    page.route(`${REDIRECT_URI}**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ contentType: 'text/plain', body: 'the app' });
    }),
  );
  await page.goto(url.toString());
  return { arrived, verifier, state, endpoints };
}

/** What the app receives for this code: the ID token's claims and userinfo's. */
async function redeem(
  page: Page,
  endpoints: Discovery,
  code: string,
  verifier: string,
  client: { clientId: string; clientSecret: string },
) {
  const token = await page.request.post(endpoints.token_endpoint, {
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
  });
  expect(token.status(), await token.text()).toBe(200);
  const { id_token, access_token } = (await token.json()) as { id_token: string; access_token: string };
  const idToken = JSON.parse(Buffer.from(id_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  const userinfo = await page.request.get(endpoints.userinfo_endpoint, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  expect(userinfo.status()).toBe(200);
  return { idToken, userinfo: (await userinfo.json()) as Record<string, unknown> };
}

test('the consent screen lists what the app needs; an optional claim turned off is not released', async ({
  signedInPage: page,
  customer,
}) => {
  const { app, clientSecret } = await registerClient();
  const { arrived, verifier, state, endpoints } = await authorize(page, app.clientId);

  await expect(page).toHaveURL(/\/authorize\/[\w-]+\/consent$/);
  await expect(page.getByRole('heading', { level: 1, name: `${app.name} wants to sign you in` })).toBeVisible();
  await expect(page.getByText('Sells you cheque books.')).toBeVisible();
  await expect(page.getByText(`You are signed in as ${customer.email}.`)).toBeVisible();
  const needs = page.getByRole('region', { name: `${app.name} needs:` });
  await expect(needs.getByRole('listitem')).toHaveText(['Your full name', 'Your first name']);
  const email = page.getByRole('switch', { name: 'Your email address' });
  await expect(email).toBeChecked();
  expect(await seriousViolations(page)).toEqual([]);

  await waitForHydration(email);
  await email.click();
  await expect(email).not.toBeChecked();
  await page.getByRole('button', { name: 'Allow' }).click();

  const callback = await arrived;
  expect(callback.searchParams.get('state')).toBe(state);
  const code = callback.searchParams.get('code');
  expect(code).toBeTruthy();
  const { idToken, userinfo } = await redeem(page, endpoints, code!, verifier, {
    clientId: app.clientId,
    clientSecret,
  });
  expect(idToken.sub).toBe(customer.id);
  expect(userinfo).toMatchObject({ sub: customer.id, given_name: 'Camille' });
  expect(idToken).not.toHaveProperty('email');
  expect(userinfo).not.toHaveProperty('email');
});

test('by keyboard alone, leaving the optional claim on: the app receives it; axe finds nothing serious', async ({
  signedInPage: page,
  customer,
}) => {
  const { app, clientSecret } = await registerClient();
  const { arrived, verifier, endpoints } = await authorize(page, app.clientId);
  const email = page.getByRole('switch', { name: 'Your email address' });
  await waitForHydration(email);
  await email.focus();
  // Space turns a switch off and on again, as a checkbox.
  await page.keyboard.press('Space');
  await expect(email).not.toBeChecked();
  await page.keyboard.press('Space');
  await expect(email).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Allow' })).toBeFocused();
  await page.keyboard.press('Enter');

  const code = (await arrived).searchParams.get('code');
  const { userinfo } = await redeem(page, endpoints, code!, verifier, { clientId: app.clientId, clientSecret });
  expect(userinfo).toMatchObject({ sub: customer.id, email: customer.email });
});

test('Refuse: the app hears access_denied and nothing is released', async ({ signedInPage: page }) => {
  const { app } = await registerClient();
  const { arrived, state } = await authorize(page, app.clientId);
  const refuse = page.getByRole('button', { name: 'Refuse' });
  await waitForHydration(refuse);
  await refuse.click();
  const callback = await arrived;
  expect(callback.searchParams.get('error')).toBe('access_denied');
  expect(callback.searchParams.get('state')).toBe(state);
  expect(callback.searchParams.has('code')).toBe(false);

  // A uid that is no pending request (unknown, expired, someone else's): a 404 that says what to do.
  const unknown = await page.goto('/authorize/AAAAAAAAAAAAAAAAAAAAA/consent');
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'This sign-in request has expired' })).toBeVisible();
});

test('in French: the app, the claims and the answers', async ({ newDevice, createCustomer, signInAs }) => {
  const page = await newDevice({ locale: 'fr-FR' });
  const customer = await createCustomer({ locale: 'fr' });
  await signInAs(page.context(), customer.id);
  const { app } = await registerClient();
  await authorize(page, app.clientId);
  await expect(page.getByRole('heading', { level: 1, name: `${app.name} souhaite vous connecter` })).toBeVisible();
  await expect(page.getByRole('switch', { name: 'Votre adresse e-mail' })).toBeChecked();
  await expect(page.getByRole('button', { name: 'Autoriser' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refuser' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('not signed in: the portal sign-in says where it leads', async ({ page }) => {
  const { app } = await registerClient();
  await authorize(page, app.clientId);
  await expect(page).toHaveURL(/\/signin\?next=%2Foidc%2Finteraction%2F/);
  await expect(page.getByRole('heading', { level: 1, name: `Continue to ${app.name}` })).toBeVisible();
  await expect(page.getByLabel('Email')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('an app asking for a strong sign-in gets the step-up first: a fresh email code, then the app, acr strong', async ({
  staleSignedInPage: page,
  customer,
}) => {
  const { app, clientSecret } = await registerClient();
  const { arrived, verifier, endpoints } = await authorize(page, app.clientId, 'openid profile', {
    acr_values: 'urn:accord:acr:strong',
  });
  await expect(page).toHaveURL(/\/authorize\/[\w-]+\/step-up$/);
  await expect(page.getByRole('heading', { level: 1, name: `Confirm it's you for ${app.name}` })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  const panel = page.getByRole('region', { name: "Confirm it's you" });
  const before = new Date();
  const send = panel.getByRole('button', { name: 'Email me a code' });
  await waitForHydration(send);
  await send.click();
  const code = extractCode(
    await waitForMail(customer.email, { after: before, subjectIncludes: 'Your sign-in link and code' }),
  );
  await panel.getByLabel('Code', { exact: true }).fill(code);
  await panel.getByRole('button', { name: 'Confirm' }).click();

  // Nothing optional asked (no email scope): straight on to the app.
  const callback = await arrived;
  const { idToken } = await redeem(page, endpoints, callback.searchParams.get('code')!, verifier, {
    clientId: app.clientId,
    clientSecret,
  });
  expect(idToken).toMatchObject({ sub: customer.id, acr: 'urn:accord:acr:strong' });
});

test("a new customer registers on the way: code, first-name step, passkey offer, then the app's consent screen", async ({
  page,
  uniqueEmail,
}) => {
  const { app } = await registerClient();
  await authorize(page, app.clientId);
  await expect(page.getByRole('heading', { level: 1, name: `Continue to ${app.name}` })).toBeVisible();
  const email = uniqueEmail('sso-new');
  const field = page.getByLabel('Email', { exact: true });
  await waitForHydration(field);
  const before = new Date();
  await field.fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  const code = extractCode(await waitForMail(email, { after: before, subjectIncludes: 'Your sign-in link and code' }));
  const codeField = page.getByLabel('Code', { exact: true });
  await waitForHydration(codeField);
  await codeField.fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await expect(page).toHaveURL(/\/welcome$/);
  await waitForHydration(page.getByLabel('First name'));
  await page.getByLabel('First name').fill('Alix');
  await page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/welcome\/passkey$/);
  await page.getByRole('link', { name: 'Not now' }).click();

  await expect(page).toHaveURL(/\/authorize\/[\w-]+\/consent$/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect(page.getByRole('heading', { level: 1, name: `${app.name} wants to sign you in` })).toBeVisible();
  await expect(page.getByText(`You are signed in as ${email}.`)).toBeVisible();
});
