/**
 * The smoke project (`@smoke`): a customer's first visit on a deployment, through the
 * UI and real mail only. It never touches the database, so it runs against any
 * instance: playwright.smoke.config.ts (BASE_URL, E2E_MAILBOX_URL), which the CI's
 * production stage (scripts/smoke.ts) points at `npm start` on an empty database.
 * The regular e2e suite runs it too.
 */
import { randomUUID } from 'node:crypto';

import { expect, test, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { extractCode, waitForMail } from '../mailbox';

const SUBJECT = 'Your sign-in link and code';

async function signInWithEmailedCode(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  const field = page.getByLabel('Email', { exact: true });
  await waitForHydration(field);
  const before = new Date();
  await field.fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  const mail = await waitForMail(email, { after: before, subjectIncludes: SUBJECT });
  const code = page.getByLabel('Code', { exact: true });
  await waitForHydration(code);
  await code.fill(extractCode(mail));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test(
  'a new customer registers with the emailed code, signs out and signs in again',
  { tag: '@smoke' },
  async ({ page }) => {
    const email = `smoke-${randomUUID()}@example.test`;

    await signInWithEmailedCode(page, email);
    await expect(page).toHaveURL(/\/welcome$/);
    const firstName = page.getByLabel('First name');
    await waitForHydration(firstName);
    await firstName.fill('Ada');
    await page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL(/\/welcome\/passkey$/);
    await page.getByRole('link', { name: 'Not now' }).click();

    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Ada' })).toBeVisible();

    const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
    await waitForHydration(signOut);
    await signOut.click();
    await expect(page).toHaveURL(/\/signin$/);
    await page.goto('/account');
    await expect(page).toHaveURL(/\/signin(\?|$)/);

    // Known now: straight to the account, no first-name step.
    await signInWithEmailedCode(page, email);
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Ada' })).toBeVisible();
  },
);
