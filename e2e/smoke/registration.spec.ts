/**
 * The smoke project (`@smoke`): a customer's first visit on a deployment, through the
 * UI and real mail only. It never touches the database, so it runs against any
 * instance: playwright.smoke.config.ts (BASE_URL, E2E_MAILBOX_URL), which the CI's
 * production stage (scripts/smoke.ts) points at `npm start` on an empty database.
 * The regular e2e suite runs it too. The QA flows (e2e/flows/) go further with the same pages.
 */
import { randomUUID } from 'node:crypto';

import { test } from '@playwright/test';

import { AccountPage, SignInPage, WelcomePage } from '../pages';

test(
  'a new customer registers with the emailed code, signs out and signs in again',
  { tag: '@smoke' },
  async ({ page }) => {
    const email = `smoke-${randomUUID()}@example.test`;
    const signIn = new SignInPage(page);
    const welcome = new WelcomePage(page);
    const account = new AccountPage(page);

    await signIn.goto();
    await signIn.signInWithCode(email);
    await welcome.complete('Ada');
    await welcome.skipPasskey();
    await account.expectGreeting('Ada');

    await account.signOut();
    await account.expectSignedOut();

    // Known now: straight to the account, no first-name step.
    await signIn.goto();
    await signIn.signInWithCode(email);
    await account.expectGreeting('Ada');
  },
);
