import { expect, type Page } from '@playwright/test';

import { waitForHydration } from '../hydration';
import { credentialRequests, type VirtualAuthenticator } from '../webauthn';
import { Mailbox } from './mailbox';
import { ROUND_TRIPS_TIMEOUT } from './timeouts';

/** /signin, the code page and the link's confirmation page: passwordless sign-in and registration. */
export class SignInPage {
  constructor(
    readonly page: Page,
    readonly mailbox = new Mailbox(),
  ) {}

  get emailField() {
    return this.page.getByLabel('Email', { exact: true });
  }

  /** Opens /signin (or `path`, e.g. a protected page's redirect) and waits until it can be typed into. */
  async goto(path = '/signin'): Promise<void> {
    await this.page.goto(path);
    await waitForHydration(this.emailField);
  }

  /** Asks for a sign-in mail from the current page; returns the mailbox's mark from before (the Mailbox's `after`). */
  async requestMail(email: string): Promise<number> {
    await waitForHydration(this.emailField);
    const asked = await this.mailbox.mark(email);
    await this.emailField.fill(email);
    await this.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    return asked;
  }

  /** Types a code on the code page and submits it. */
  async enterCode(code: string): Promise<void> {
    const field = this.page.getByLabel('Code', { exact: true });
    await waitForHydration(field);
    await field.fill(code);
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** From /signin: asks for a mail and types its code. New addresses land on /welcome, known ones on /account. */
  async signInWithCode(email: string): Promise<void> {
    const asked = await this.requestMail(email);
    await this.enterCode(await this.mailbox.code(email, asked));
  }

  /** From /signin: asks for a mail, opens its link in this page and confirms. */
  async signInWithLink(email: string): Promise<void> {
    const asked = await this.requestMail(email);
    await this.page.goto(await this.mailbox.link(email, asked));
    await expect(this.page.getByRole('heading', { level: 1, name: 'Confirm your sign-in' })).toBeVisible();
    await this.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** The "Sign in with a passkey" button (the page needs an authenticator holding one). */
  async signInWithPasskey(): Promise<void> {
    const button = this.page.getByRole('button', { name: 'Sign in with a passkey' });
    await waitForHydration(button);
    await button.click();
  }

  /**
   * Gets to /signin through `navigate` (e.g. signing out) without the browser's passkey
   * autofill signing in at once: the authenticator holds no credential while the page
   * makes its autofill request, and gets them back after. Needs recordCredentialRequests
   * (e2e/webauthn.ts) on the page before it loads /signin.
   */
  async openWithoutAutofill(authenticator: VirtualAuthenticator, navigate: () => Promise<unknown>): Promise<void> {
    const held = await authenticator.credentials();
    await authenticator.clearCredentials();
    await navigate();
    await expect(this.page).toHaveURL(/\/signin(\?|$)/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect
      .poll(
        async () =>
          (await credentialRequests(this.page).catch(() => [])).find(
            (r) => r.kind === 'get' && r.mediation === 'conditional',
          )?.outcome,
        { message: 'the autofill request never settled' },
      )
      .toMatch(/^rejected/);
    for (const credential of held) await authenticator.addCredential(credential);
  }
}
