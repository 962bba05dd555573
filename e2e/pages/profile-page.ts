import { expect, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

export type PersonalDetails = { firstName?: string; lastName?: string };

/** /account/profile: personal details, addresses and the change history. */
export class ProfilePage {
  constructor(readonly page: Page) {}

  /** The "Personal details" form. */
  get details() {
    return this.page.getByRole('form', { name: 'Personal details' });
  }

  /** The "Change history" list. */
  get history() {
    return this.page.getByRole('region', { name: 'Change history' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/account/profile');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
    await waitForHydration(this.details.getByRole('button', { name: 'Save' }));
  }

  /** Fills the given fields of "Personal details", saves, and waits for "Saved.". */
  async editPersonalDetails(changes: PersonalDetails): Promise<void> {
    if (changes.firstName !== undefined) await this.details.getByLabel('First name').fill(changes.firstName);
    if (changes.lastName !== undefined) await this.details.getByLabel('Last name').fill(changes.lastName);
    await this.details.getByRole('button', { name: 'Save' }).click();
    await expect(this.details.getByText('Saved.', { exact: false })).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  }
}
