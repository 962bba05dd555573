import { expect, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

/**
 * The name a new passkey gets: the browser and system of the user agent that added it
 * (Playwright's Desktop Chrome profile says Windows 10).
 */
export const PASSKEY_NAME = 'Chrome · Windows 10';

/** /account/security: passkeys, connected accounts, sessions. */
export class SecurityPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/account/security');
    await expect(this.page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
  }

  /**
   * "Add a passkey", with a recent sign-in (no step-up) and a virtual authenticator on the
   * page (e2e/webauthn.ts); waits until the passkey is listed.
   */
  async addPasskey(): Promise<void> {
    await this.goto();
    const add = this.page.getByRole('button', { name: 'Add a passkey' });
    await waitForHydration(add);
    await add.click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Passkey added.' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    await expect(this.passkeyItem(PASSKEY_NAME)).toBeVisible();
  }

  /** A passkey's entry in the list. */
  passkeyItem(name: string) {
    return this.page
      .getByRole('listitem')
      .filter({ has: this.page.getByRole('button', { name: `Delete passkey ${name}`, exact: true }) });
  }
}
