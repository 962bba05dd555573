/**
 * Helpers for end-to-end specs: read the mail that the app sent to the SMTP sink
 * (e2e/mail-sink.ts) through the sink's HTTP API.
 *
 * Env: E2E_MAILBOX_URL (default http://127.0.0.1:2526).
 *
 * Specs run in parallel against one sink: give every test its own recipient address
 * (e.g. `user-${testInfo.testId}-${Date.now()}@example.test`) instead of clearing the
 * whole mailbox, and pass `after` when one address receives several mails.
 */

/** One received message, as returned by the sink's `GET /messages`. */
export interface Mail {
  /** Increasing number, unique for the life of the sink process. */
  id: number;
  /** SMTP envelope sender (MAIL FROM), lower-cased; '' for the null sender. */
  envelopeFrom: string;
  /** SMTP envelope recipients (RCPT TO), lower-cased. */
  envelopeTo: string[];
  /** Addresses of the To header, lower-cased. */
  to: string[];
  /** Addresses of the Cc header, lower-cased. */
  cc: string[];
  /** The From header as text, e.g. `"Accord" <no-reply@accord.test>`. */
  from: string;
  /** The From header's address alone, lower-cased. */
  fromAddress: string;
  subject: string;
  /** Plain-text body ('' when the message has none). */
  text: string;
  /** HTML body, or null when the message has none. */
  html: string | null;
  /** The Date header (ISO 8601), or the receive time when the header is missing. */
  date: string;
  /** When the sink received the message (ISO 8601, the sink's clock, millisecond precision). */
  receivedAt: string;
  messageId: string | null;
  /** The Content-Language header, or null. */
  contentLanguage: string | null;
  /** Every top-level header, lower-cased name to unfolded raw value (last one wins). */
  headers: Record<string, string>;
}

export interface WaitForMailOptions {
  /** Only a message whose subject contains this text (case-sensitive). */
  subjectIncludes?: string;
  /** Only a message received at or after this instant (capture it before the action that sends). */
  after?: Date;
  /** Give up after this long; default 15000 ms. */
  timeoutMs?: number;
}

const POLL_INTERVAL_MS = 200;

export function mailboxBaseUrl(): string {
  return (process.env.E2E_MAILBOX_URL ?? 'http://127.0.0.1:2526').replace(/\/+$/, '');
}

/** Every message for `to` (case-insensitive; envelope, To or Cc), oldest first. */
export async function listMail(to: string): Promise<Mail[]> {
  const url = `${mailboxBaseUrl()}/messages?to=${encodeURIComponent(to)}`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new Error(
      `Cannot reach the mail sink at ${mailboxBaseUrl()} (is e2e/mail-sink.ts running?): ${String(error)}`,
    );
  }
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as Mail[];
}

/** Remove the messages of one recipient, or all messages when `to` is omitted. */
export async function clearMail(to?: string): Promise<void> {
  const query = to === undefined ? '' : `?to=${encodeURIComponent(to)}`;
  const res = await fetch(`${mailboxBaseUrl()}/messages${query}`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`DELETE /messages${query} answered ${res.status}`);
}

/**
 * Wait until a message for `to` arrives that matches the options, and return the newest
 * such message. Throws after `timeoutMs` (default 15 s), naming the subjects that did arrive.
 */
export async function waitForMail(to: string, opts: WaitForMailOptions = {}): Promise<Mail> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const afterMs = opts.after?.getTime();
  let seen: Mail[] = [];
  for (;;) {
    seen = await listMail(to);
    const matching = seen.filter(
      (mail) =>
        (opts.subjectIncludes === undefined || mail.subject.includes(opts.subjectIncludes)) &&
        (afterMs === undefined || Date.parse(mail.receivedAt) >= afterMs),
    );
    const newest = matching.at(-1);
    if (newest) return newest;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now()))));
  }
  const wanted = [
    opts.subjectIncludes === undefined ? null : `subject including ${JSON.stringify(opts.subjectIncludes)}`,
    opts.after === undefined ? null : `received after ${opts.after.toISOString()}`,
  ]
    .filter(Boolean)
    .join(', ');
  const got = seen.length
    ? seen.map((mail) => `${JSON.stringify(mail.subject)} at ${mail.receivedAt}`).join('; ')
    : 'none';
  throw new Error(
    `No mail for ${to}${wanted ? ` (${wanted})` : ''} within ${timeoutMs} ms. Mail for that address: ${got}`,
  );
}

const URL_PATTERN = /https?:\/\/[^\s<>"'()[\]]+/g;

/** The first URL in the text body that contains `/signin/confirm`, or null. */
export function findSignInLink(mail: Pick<Mail, 'text'>): string | null {
  for (const match of mail.text.matchAll(URL_PATTERN)) {
    // Trailing sentence punctuation is not part of the link.
    const url = match[0].replace(/[.,;:!?]+$/, '');
    if (url.includes('/signin/confirm')) return url;
  }
  return null;
}

/** The first URL in the text body that contains `/signin/confirm`. */
export function extractSignInLink(mail: Mail): string {
  const link = findSignInLink(mail);
  if (link) return link;
  throw new Error(
    `No /signin/confirm link in the text body of the mail ${JSON.stringify(mail.subject)} to ${mail.to.join(', ')}`,
  );
}

/**
 * The first standalone 6-digit number in the text body: not part of a longer number or
 * word, and not inside a URL. Null when there is none.
 */
export function findCode(mail: Pick<Mail, 'text'>): string | null {
  const withoutUrls = mail.text.replace(URL_PATTERN, ' ');
  return /(?<![\p{L}\p{N}_])\d{6}(?![\p{L}\p{N}_])/u.exec(withoutUrls)?.[0] ?? null;
}

/** findCode, or an error naming the mail. */
export function extractCode(mail: Mail): string {
  const code = findCode(mail);
  if (!code) {
    throw new Error(
      `No 6-digit code in the text body of the mail ${JSON.stringify(mail.subject)} to ${mail.to.join(', ')}`,
    );
  }
  return code;
}

/** A mail server outage: the sink refuses SMTP connections until startSmtp (e2e/mail-outage.spec.ts). */
export async function stopSmtp(): Promise<void> {
  const res = await fetch(`${mailboxBaseUrl()}/smtp/stop`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /smtp/stop answered ${res.status}`);
}

export async function startSmtp(): Promise<void> {
  const res = await fetch(`${mailboxBaseUrl()}/smtp/start`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /smtp/start answered ${res.status}: ${await res.text()}`);
}
