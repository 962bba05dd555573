/**
 * Fixtures of the QA flows (playwright.flows.config.ts, docs/qa.md): a fresh address per
 * test, the page objects of e2e/pages/ on the test's page, and a customer registered
 * through the UI. Nothing here opens the database: the flows run against any deployment.
 *
 *   import { expect, test } from './fixtures';
 *   test('…', async ({ customer, privacy }) => { … });
 */
import { randomBytes } from 'node:crypto';

import { test as base } from '@playwright/test';

import { AccountPage, Mailbox, PrivacyPage, ProfilePage, SecurityPage, SignInPage, WelcomePage } from '../pages';
import { addVirtualAuthenticator, recordCredentialRequests, type VirtualAuthenticator } from '../webauthn';

export { expect } from '@playwright/test';

/** A customer the test registered through the UI; the page is signed in as them, on /account. */
export type RegisteredCustomer = { email: string; firstName: string };

type FlowFixtures = {
  /**
   * A new address for this test: `qa+<random>@<QA_EMAIL_DOMAIN>` (default example.test),
   * lower-case. The deployment must send mail for that domain to the mailbox.
   */
  email: string;
  mailbox: Mailbox;
  signIn: SignInPage;
  welcome: WelcomePage;
  account: AccountPage;
  profile: ProfilePage;
  privacy: PrivacyPage;
  security: SecurityPage;
  /**
   * Chromium's virtual authenticator on the page (e2e/webauthn.ts), with the page's
   * WebAuthn requests recorded (SignInPage.openWithoutAutofill reads them). Request it
   * before the page loads anything.
   */
  authenticator: VirtualAuthenticator;
  /** `email` registered with the emailed code, first name "Ada", passkey offer declined. */
  customer: RegisteredCustomer;
};

// Each fixture hands its value over with `provide` (Playwright's docs call it `use`):
// eslint's react-hooks rule would take a `use(…)` call for React's hook.
export const test = base.extend<FlowFixtures>({
  email: async ({}, provide) => {
    const domain = process.env.QA_EMAIL_DOMAIN || 'example.test';
    await provide(`qa+${Date.now().toString(36)}${randomBytes(5).toString('hex')}@${domain}`.toLowerCase());
  },
  mailbox: async ({}, provide) => provide(new Mailbox()),
  signIn: async ({ page, mailbox }, provide) => provide(new SignInPage(page, mailbox)),
  welcome: async ({ page }, provide) => provide(new WelcomePage(page)),
  account: async ({ page }, provide) => provide(new AccountPage(page)),
  profile: async ({ page }, provide) => provide(new ProfilePage(page)),
  privacy: async ({ page }, provide) => provide(new PrivacyPage(page)),
  security: async ({ page }, provide) => provide(new SecurityPage(page)),
  authenticator: async ({ page }, provide) => {
    await recordCredentialRequests(page);
    await provide(await addVirtualAuthenticator(page));
  },
  customer: async ({ email, signIn, welcome, account }, provide) => {
    const firstName = 'Ada';
    await signIn.goto();
    await signIn.signInWithCode(email);
    await welcome.complete(firstName);
    await welcome.skipPasskey();
    await account.expectGreeting(firstName);
    await provide({ email, firstName });
  },
});
