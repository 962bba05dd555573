import { extractCode, extractSignInLink, listMail, waitForMail, type Mail, type WaitForMailOptions } from '../mailbox';

/** The subject of the mail that carries a sign-in link and code (messages/en.json mail.signIn). */
export const SIGN_IN_SUBJECT = 'Your sign-in link and code';

/**
 * The mailbox the deployment under test sends to: the HTTP API of `npm run mail-sink`
 * at E2E_MAILBOX_URL (playwright.flows.config.ts sets it from MAILBOX_URL).
 * Pass `after` (captured before the action that sends) when an address gets several mails.
 */
export class Mailbox {
  /** Every message for the address, oldest first. */
  list(to: string): Promise<Mail[]> {
    return listMail(to);
  }

  /** The newest message for the address that matches, waiting for it (default 15 s). */
  waitFor(to: string, opts?: WaitForMailOptions): Promise<Mail> {
    return waitForMail(to, opts);
  }

  /** The newest sign-in mail (link and code) received at or after `after`. */
  signInMail(to: string, after: Date): Promise<Mail> {
    return waitForMail(to, { after, subjectIncludes: SIGN_IN_SUBJECT });
  }

  /** The 6-digit code of the newest sign-in mail received at or after `after`. */
  async code(to: string, after: Date): Promise<string> {
    return extractCode(await this.signInMail(to, after));
  }

  /** The /signin/confirm link of the newest sign-in mail received at or after `after`. */
  async link(to: string, after: Date): Promise<string> {
    return extractSignInLink(await this.signInMail(to, after));
  }
}
