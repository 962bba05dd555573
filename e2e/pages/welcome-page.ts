import { expect, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

/** What a new customer sees after their first sign-in: the first-name step, then the passkey offer. */
export class WelcomePage {
  constructor(readonly page: Page) {}

  /** The first-name step: name, terms accepted, Continue; ends on the passkey offer. */
  async complete(firstName: string): Promise<void> {
    await expect(this.page).toHaveURL(/\/welcome$/, { timeout: ROUND_TRIPS_TIMEOUT });
    const field = this.page.getByLabel('First name');
    await waitForHydration(field);
    await field.fill(firstName);
    await this.page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();
    await this.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect(this.page).toHaveURL(/\/welcome\/passkey$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(this.page.getByRole('heading', { level: 1, name: 'Sign in faster next time' })).toBeVisible();
  }

  /** Declines the passkey offer: on to /account. */
  async skipPasskey(): Promise<void> {
    await this.page.getByRole('link', { name: 'Not now' }).click();
  }

  /** Accepts the passkey offer (the page needs an authenticator, e2e/webauthn.ts): on to /account. */
  async addPasskey(): Promise<void> {
    const add = this.page.getByRole('button', { name: 'Add a passkey' });
    await waitForHydration(add);
    await add.click();
  }
}
