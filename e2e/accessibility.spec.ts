/**
 * Accessibility: axe-core finds no serious or critical WCAG 2.2 AA violation on the
 * customer pages, and the sign-in form works from the keyboard alone.
 */
import type { Page } from '@playwright/test';

import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';
import { extractCode, waitForMail } from './mailbox';

/** Serious and critical violations, small enough to read in a failure message. */
test.describe('axe finds no serious or critical violation', () => {
  test('on /signin, also with a field error shown', async ({ page }) => {
    await page.goto('/signin');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in or create your account' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await waitForHydration(page.getByRole('button', { name: 'Continue' }));
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('Email', { exact: true })).toHaveAccessibleDescription('Enter your email address.');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('on the code page, also with a field error shown', async ({ page, createChallenge }) => {
    await createChallenge({ context: page.context() });
    await page.goto('/signin/code');
    await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await waitForHydration(page.getByLabel('Code', { exact: true }));
    await page.getByLabel('Code', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Code', { exact: true })).toHaveAccessibleDescription(/The code is 6 digits/);
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('on the link confirmation page and the expired-link page', async ({ page, createChallenge }) => {
    const challenge = await createChallenge();
    await page.goto(challenge.link);
    await expect(page.getByRole('heading', { level: 1, name: 'Confirm your sign-in' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto('/signin/confirm?token=expired');
    await expect(page.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('on the first-name step (/welcome), also with errors shown', async ({ page, createCustomer, signInAs }) => {
    const customer = await createCustomer({ onboarded: false, firstName: null });
    await signInAs(page.context(), customer.id);
    await page.goto('/welcome');
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome! One last step' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await waitForHydration(page.getByRole('button', { name: 'Continue' }));
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('First name')).toHaveAccessibleDescription('Enter your first name.');
    await expect(page.getByRole('checkbox')).toHaveAccessibleDescription(
      'Accept the terms of use to create your account.',
    );
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('on /account', async ({ signedInPage: page }) => {
    await page.goto('/account');
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('on /account in French', async ({ signedInPage: page }) => {
    await page.goto('/account');
    await page.getByRole('button', { name: 'Français' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Bonjour Camille' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("on the API reference (/docs/api), for the developers of the brand's apps", async ({ page }) => {
    await page.goto('/docs/api');
    await expect(page.getByRole('heading', { level: 1, name: /Accord API/ })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe('keyboard', () => {
  /**
   * Tabs until focus leaves the document for the browser's own UI, so that the next
   * Tab is the first one of a keyboard user arriving on the page. (The sign-in field
   * takes focus on load, autofocus, so the first Tab after load goes to the button.)
   */
  async function tabOutOfThePage(page: Page): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement === document.body)) return;
    }
    throw new Error('Tab never left the page: is there a focus trap?');
  }

  test('on /signin, Tab reaches the skip link first, then the header, the email field and the button', async ({
    page,
  }) => {
    await page.goto('/signin');
    await expect(page.getByLabel('Email', { exact: true })).toBeFocused();
    await tabOutOfThePage(page);

    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await page.keyboard.press('Tab');
    await expect(skip).toBeFocused();
    // Visually hidden until focused: a sighted keyboard user sees where they are.
    await expect(skip).toBeInViewport();
    expect((await skip.boundingBox())?.width).toBeGreaterThan(20);

    for (const next of [
      page.getByRole('link', { name: 'Accord home' }),
      page.getByRole('button', { name: 'English' }),
      page.getByRole('button', { name: 'Français' }),
      page.getByLabel('Email', { exact: true }),
      page.getByRole('button', { name: 'Continue' }),
    ]) {
      await page.keyboard.press('Tab');
      await expect(next).toBeFocused();
    }
  });

  test('the skip link takes keyboard users straight to the form', async ({ page }) => {
    await page.goto('/signin');
    await tabOutOfThePage(page);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Email', { exact: true })).toBeFocused();
  });

  test('a customer signs in with the keyboard alone: type, Enter, type the code, Enter', async ({ page, customer }) => {
    await page.goto('/signin');
    await expect(page.getByLabel('Email', { exact: true })).toBeFocused();
    await waitForHydration(page.getByLabel('Email', { exact: true }));
    const before = new Date();
    await page.keyboard.type(customer.email);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/signin\/code$/);

    const mail = await waitForMail(customer.email, { after: before, subjectIncludes: 'Your sign-in link and code' });
    await expect(page.getByLabel('Code', { exact: true })).toBeFocused();
    await waitForHydration(page.getByLabel('Code', { exact: true }));
    await page.keyboard.type(extractCode(mail));
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible();
  });
});
