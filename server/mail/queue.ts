import 'server-only';

import nodemailer, { type Transporter } from 'nodemailer';
import type { PoolClient } from 'pg';

import { seal, sha256, unseal } from '@/server/platform/crypto';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { getLogger } from '@/server/platform/log';
import { countMail } from '@/server/platform/metrics';

import type { OutgoingMail } from './send';

// The mail queue: every SMTP mail is a mail_queue row written with its request
// (server/mail/send.ts enqueueMail), tried once inline after the commit, then
// by the worker with backoff while SMTP fails. A try holds the row's lock
// (FOR UPDATE SKIP LOCKED) from claim to commit, and erases the payload in the
// statement that marks it sent: two workers never send one row, and a crash
// between SMTP's 250 and the commit is the one window in which a mail goes
// twice (with the same Message-ID). docs/decisions/027-mail-queue.md

/** How long workers leave a new row to its inline try. */
export const INLINE_GRACE_SECONDS = 30;
const SEAL_PURPOSE = 'mail-queue';
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 10 * 60_000;

type Sealed = Pick<OutgoingMail, 'to' | 'subject' | 'text' | 'html' | 'locale'>;

/** The mail as the row keeps it: encrypted, bound to its key. */
export function sealMail(key: string, mail: Sealed): Buffer {
  return seal(SEAL_PURPOSE, key, JSON.stringify(mail));
}

function unsealMail(key: string, payload: Uint8Array): Sealed | null {
  const json = unseal(SEAL_PURPOSE, key, payload);
  return json === null ? null : (JSON.parse(json) as Sealed);
}

/** Full jitter over an exponential step: retries of many mails spread out after an outage. */
export function retryDelayMs(attempts: number, random = Math.random): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

const globalForMail = globalThis as unknown as { accordMailTransport?: Transporter };

function transport(): Transporter {
  const env = getEnv();
  globalForMail.accordMailTransport ??= nodemailer.createTransport({
    url: env.SMTP_URL,
    connectionTimeout: env.MAIL_TIMEOUT_MS,
    greetingTimeout: env.MAIL_TIMEOUT_MS,
    socketTimeout: env.MAIL_TIMEOUT_MS,
  });
  return globalForMail.accordMailTransport;
}

/** A Message-ID the same for every try of one request's mail: receivers can drop a duplicate. */
function messageIdFor(key: string): string {
  return `<${sha256(`mail:${key}`).slice(0, 32)}@${new URL(getEnv().APP_URL).hostname}>`;
}

/** An SMTP error as a short reason that names nobody (server replies may quote the address). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const { code, responseCode } = error as Error & { code?: string; responseCode?: number };
  return [code ?? error.name, responseCode].filter(Boolean).join(' ');
}

function isPermanent(error: unknown): boolean {
  const responseCode = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
}

type Row = {
  id: string;
  idempotency_key: string;
  purpose: string;
  payload: Uint8Array | null;
  attempts: number;
  expired: boolean;
};
export type MailOutcome = 'sent' | 'retry' | 'failed' | 'dropped';

/** One try of a claimed row, inside its transaction; the caller commits. */
async function attempt(client: PoolClient, row: Row, now: Date): Promise<MailOutcome> {
  const outcome = await attemptOnce(client, row, now);
  countMail(row.purpose, outcome);
  return outcome;
}

async function attemptOnce(client: PoolClient, row: Row, now: Date): Promise<MailOutcome> {
  const log = getLogger().child({ component: 'mail' });
  const finish = async (status: 'sent' | 'failed' | 'dropped', lastError: string | null) => {
    await client.query(
      `UPDATE mail_queue SET status = $2, payload = NULL, attempts = attempts + $3, last_error = $4, finished_at = $5
       WHERE id = $1`,
      [row.id, status, status === 'dropped' ? 0 : 1, lastError, now],
    );
  };
  if (row.expired) {
    await finish('dropped', 'expired before it could be sent');
    log.info({ mailId: row.id, purpose: row.purpose, attempts: row.attempts }, 'mail dropped: expired');
    return 'dropped';
  }
  const mail = row.payload && unsealMail(row.idempotency_key, row.payload);
  if (!mail) {
    await finish('failed', 'cannot decrypt (AUTH_SECRET changed?)');
    log.error({ mailId: row.id, purpose: row.purpose }, 'mail failed: cannot decrypt its payload');
    return 'failed';
  }
  try {
    await transport().sendMail({
      from: getEnv().MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageIdFor(row.idempotency_key),
      headers: { 'Content-Language': mail.locale },
    });
  } catch (error) {
    const reason = reasonOf(error).slice(0, 500);
    const attempts = row.attempts + 1;
    // A 5xx reply is permanent (RFC 5321 §4.2.1): trying again would get the same.
    const permanent = isPermanent(error);
    if (permanent || attempts >= getEnv().MAIL_MAX_ATTEMPTS) {
      await finish('failed', reason);
      log.error(
        { mailId: row.id, purpose: row.purpose, attempts, reason },
        permanent ? 'mail failed: refused by the mail server' : 'mail failed: no tries left',
      );
      return 'failed';
    }
    const next = new Date(now.getTime() + retryDelayMs(attempts));
    await client.query('UPDATE mail_queue SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1', [
      row.id,
      attempts,
      next,
      reason,
    ]);
    log.warn(
      { mailId: row.id, purpose: row.purpose, attempts, reason, nextAttemptAt: next },
      'mail queued for a retry',
    );
    return 'retry';
  }
  await finish('sent', null);
  return 'sent';
}

const CLAIM_COLUMNS = `id, idempotency_key, purpose, payload, attempts,
  (expires_at IS NOT NULL AND expires_at <= $1) AS expired`;

/** Claims one row in a transaction of its own, tries it, commits. Null when nothing was claimed. */
async function claimAndAttempt(where: string, params: unknown[], now: Date): Promise<MailOutcome | null> {
  const client = await getPool().connect();
  try {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<Row>(
        `SELECT ${CLAIM_COLUMNS} FROM mail_queue WHERE status = 'pending' AND ${where}
         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now, ...params],
      );
      const outcome = rows[0] ? await attempt(client, rows[0], now) : null;
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * The inline try after the request's commit: "sent" when every mail went,
 * "queued" when one is left to the worker (SMTP failed, or a worker holds it).
 * Never throws: the request succeeded, the mail is safe in the queue.
 */
export async function deliverNow(ids: ReadonlyArray<string | null>): Promise<'sent' | 'queued'> {
  let result: 'sent' | 'queued' = 'sent';
  for (const id of ids) {
    if (id === null) continue;
    try {
      const outcome = await claimAndAttempt('id = $2', [id], new Date());
      if (outcome !== 'sent') result = 'queued';
    } catch (error) {
      getLogger()
        .child({ component: 'mail' })
        .error({ mailId: id, reason: reasonOf(error) }, 'inline mail try failed');
      result = 'queued';
    }
  }
  return result;
}

/** isMailQueued as an SQL condition on a key expression, for a page that reads it with its other data. */
export const mailQueuedCondition = (key: string) =>
  `EXISTS (SELECT 1 FROM mail_queue WHERE idempotency_key = ${key} AND status = 'pending')`;

/** Whether the request's mail is still waiting for SMTP (its page says "on its way"). */
export async function isMailQueued(key: string): Promise<boolean> {
  const { rows } = await getPool().query<{ queued: boolean }>(`SELECT ${mailQueuedCondition('$1')} AS queued`, [key]);
  return rows[0]?.queued ?? false;
}

export type MailQueueRun = Record<MailOutcome, number>;

/** The worker's step: tries every due row, one at a time, up to `limit`. */
export async function processMailQueue(options: { limit?: number; now?: Date } = {}): Promise<MailQueueRun> {
  const run: MailQueueRun = { sent: 0, retry: 0, failed: 0, dropped: 0 };
  const limit = options.limit ?? 100;
  for (let i = 0; i < limit; i++) {
    const now = options.now ?? new Date();
    const outcome = await claimAndAttempt('next_attempt_at <= $1', [], now);
    if (outcome === null) break;
    run[outcome] += 1;
  }
  return run;
}

/**
 * Runs processMailQueue every pollIntervalMs in this process (the worker, or
 * an app instance with WEBHOOK_WORKER=on). Returns a function that stops it
 * and waits for the step in progress.
 */
export function startMailWorker(options: { pollIntervalMs?: number } = {}): () => Promise<void> {
  const log = getLogger().child({ component: 'mail' });
  const pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1_000);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = processMailQueue()
      .then((run) => {
        if (run.sent + run.failed + run.dropped > 0) log.info({ ...run }, 'mail queue step');
      })
      .catch((error: unknown) => log.error({ reason: reasonOf(error) }, 'mail queue step failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollIntervalMs).unref();
      });
  };
  timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
