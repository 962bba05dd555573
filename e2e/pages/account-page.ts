import { expect, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

/** /account, the overview, and the header every account page shares. */
export class AccountPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/account');
  }

  /** Signed in and on /account, greeted by first name. */
  async expectGreeting(firstName: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/account$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(this.page.getByRole('heading', { level: 1, name: `Hello, ${firstName}` })).toBeVisible();
  }

  /** The header's "Sign out": ends on /signin. */
  async signOut(): Promise<void> {
    const button = this.page.getByRole('button', { name: 'Sign out', exact: true });
    await waitForHydration(button);
    await button.click();
    await expect(this.page).toHaveURL(/\/signin$/, { timeout: ROUND_TRIPS_TIMEOUT });
  }

  /** /account sends this browser to /signin. */
  async expectSignedOut(): Promise<void> {
    await this.goto();
    await expect(this.page).toHaveURL(/\/signin(\?|$)/);
  }
}
