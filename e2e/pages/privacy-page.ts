import { expect, type Download, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

/** /account/privacy: consents and their receipts, data export, account deletion. */
export class PrivacyPage {
  constructor(readonly page: Page) {}

  /** The "Consent history" list: one receipt per answer. */
  get history() {
    return this.page.getByRole('region', { name: 'Consent history' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/privacy');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Privacy' })).toBeVisible();
    await waitForHydration(this.page.getByRole('button', { name: 'Download my data' }));
  }

  /** Allows an optional purpose by its title (e.g. "Marketing emails") and waits for the confirmation. */
  async allow(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Allow: ${title}` }).click();
    await expect(this.page.getByText(`${title}: allowed from now on.`)).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  }

  /** Withdraws a purpose by its title and waits for the confirmation. */
  async withdraw(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Withdraw: ${title}` }).click();
    await expect(this.page.getByText(`${title}: withdrawn. It applies at once.`)).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
  }

  /**
   * "Download my data" with a recent sign-in (an older one asks "Confirm it's you" first):
   * the file the browser downloads.
   */
  async downloadData(): Promise<Download> {
    const download = this.page.waitForEvent('download', { timeout: ROUND_TRIPS_TIMEOUT });
    await this.page.getByRole('button', { name: 'Download my data' }).click();
    return download;
  }

  /** Deletes the account, typing `email` as the confirmation; ends on /account-deleted. */
  async deleteAccount(email: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Delete my account…' }).click();
    const confirmation = this.page.getByLabel(`To confirm, type your email address: ${email}`);
    await waitForHydration(confirmation);
    await confirmation.fill(email);
    await this.page.getByRole('button', { name: 'Delete my account for good' }).click();
    await expect(this.page).toHaveURL(/\/account-deleted$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(this.page.getByRole('heading', { level: 1, name: 'Your account is deleted' })).toBeVisible();
  }
}
