import type { Mail } from '../mailbox';

/** The subject of the mail that carries a sign-in link and code (messages/en.json mail.signIn). */
export const SIGN_IN_SUBJECT = 'Your sign-in link and code';

/** A message as `GET /messages/latest` of `npm run mail-sink` returns it. */
export type LatestMail = Mail & { code: string | null; link: string | null };

const POLL_INTERVAL_MS = 250;

/**
 * The mailbox the deployment under test sends to: the HTTP API of `npm run mail-sink`
 * (docs/qa.md) at MAILBOX_URL, or E2E_MAILBOX_URL in the e2e suite. Mail is told apart by
 * the sink's message ids, not by clocks (the sink may run on another machine):
 * take a `mark` before the action that sends, then wait for mail after it.
 */
export class Mailbox {
  readonly url: string;

  constructor(url = process.env.MAILBOX_URL || process.env.E2E_MAILBOX_URL || 'http://127.0.0.1:2526') {
    this.url = url.replace(/\/+$/, '');
  }

  /** The newest message for the address (whose subject contains `subject`, newer than `after`), or null. */
  async latest(to: string, opts: { subject?: string; after?: number } = {}): Promise<LatestMail | null> {
    const query = new URLSearchParams({ to });
    if (opts.subject !== undefined) query.set('subject', opts.subject);
    if (opts.after !== undefined) query.set('after', String(opts.after));
    const url = `${this.url}/messages/latest?${query}`;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (error) {
      throw new Error(`Cannot reach the mail sink at ${this.url} (is npm run mail-sink running?): ${String(error)}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as LatestMail;
  }

  /** Where the address's mail stands now: pass it as `after` to wait for the next one. */
  async mark(to: string): Promise<number> {
    return (await this.latest(to))?.id ?? 0;
  }

  /** Waits (default 15 s) for a message to the address newer than `after`, and returns the newest. */
  async waitFor(to: string, opts: { subject?: string; after?: number; timeoutMs?: number } = {}): Promise<LatestMail> {
    const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
    for (;;) {
      const mail = await this.latest(to, opts);
      if (mail) return mail;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    const newest = await this.latest(to);
    throw new Error(
      `No mail for ${to}${opts.subject === undefined ? '' : ` with a subject containing ${JSON.stringify(opts.subject)}`} after message ${opts.after ?? 0} within ${opts.timeoutMs ?? 15_000} ms. Newest mail for that address: ${newest ? `#${newest.id} ${JSON.stringify(newest.subject)}` : 'none'}`,
    );
  }

  /** The newest sign-in mail (link and code) newer than `after`. */
  signInMail(to: string, after: number): Promise<LatestMail> {
    return this.waitFor(to, { subject: SIGN_IN_SUBJECT, after });
  }

  /** The 6-digit code of the newest sign-in mail newer than `after`. */
  async code(to: string, after: number): Promise<string> {
    const mail = await this.signInMail(to, after);
    if (!mail.code) throw new Error(`No 6-digit code in the mail ${JSON.stringify(mail.subject)} to ${to}`);
    return mail.code;
  }

  /** The /signin/confirm link of the newest sign-in mail newer than `after`. */
  async link(to: string, after: number): Promise<string> {
    const mail = await this.signInMail(to, after);
    if (!mail.link) throw new Error(`No /signin/confirm link in the mail ${JSON.stringify(mail.subject)} to ${to}`);
    return mail.link;
  }
}
