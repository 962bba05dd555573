import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { getPendingEmailChange, requestEmailChange } from '@/server/customers/email-change';
import { recordSecurityEvent } from '@/server/identity/security-events';
import { getPendingChallenge, requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { processMailQueue, startMailWorker } from '@/server/mail/queue';
import { enqueueMail } from '@/server/mail/send';
import { prisma } from '@/server/platform/db';
import { getMetrics } from '@/server/platform/metrics';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { SmtpSink } from './smtp-sink';

// The mail queue against a real SMTP server that goes down and comes back
// (docs/decisions/027-mail-queue.md). SMTP_URL must be set before the
// environment is first read: it points at a port chosen here.
const { smtpPort } = await vi.hoisted(async () => {
  const { freePort } = await import('../../scripts/free-port');
  const port = await freePort();
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.MAIL_TIMEOUT_MS = '2000';
  process.env.MAIL_MAX_ATTEMPTS = '3';
  return { smtpPort: port };
});

const sink = new SmtpSink(smtpPort);
/**
 * The worker's clock, a minute further at each call: past every backoff (at
 * most 8 s for three tries) and the inline grace, short of a code's 15 minutes.
 */
let minutesAhead = 0;
const later = () => new Date(Date.now() + ++minutesAhead * 60_000);

beforeAll(async () => {
  await ensureConsentPurposes();
});
afterAll(async () => {
  await sink.stop();
});
beforeEach(async () => {
  minutesAhead = 0;
  await sink.stop();
  // Rows other tests left pending would be sent by this test's worker step.
  await prisma.mailQueue.deleteMany({});
});

async function signIn(email: string) {
  const result = await requestSignIn(email, uniqueIp(), 'en');
  if (!result.ok) throw new Error('unexpectedly rate limited');
  return result;
}

/** The row as stored, every column as text (bytea as its raw bytes). */
async function rowAsText(challengeId: string): Promise<string> {
  const rows = await prisma.$queryRaw<Array<{ text: string; payload: string | null }>>`
    SELECT row_to_json(m)::text AS text, encode(payload, 'escape') AS payload
    FROM mail_queue m WHERE idempotency_key = ${`sign-in:${challengeId}`}`;
  if (!rows[0]) throw new Error('no queued row');
  return `${rows[0].text}\n${rows[0].payload ?? ''}`;
}

function codeAndToken(text: string): { code: string; token: string } {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  const token = /\/signin\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
  if (!code || !token) throw new Error('no code or link in the mail');
  return { code, token };
}

describe('the mail queue', () => {
  it('sends at once while SMTP works, and keeps no body once sent', async () => {
    await sink.start();
    const email = uniqueEmail('inline');
    const result = await signIn(email);
    expect(result.mail).toBe('sent');
    expect(sink.to(email)).toHaveLength(1);
    const row = await prisma.mailQueue.findUniqueOrThrow({
      where: { idempotencyKey: `sign-in:${result.challengeId}` },
    });
    expect(row).toMatchObject({ status: 'sent', payload: null, attempts: 1, purpose: 'sign-in' });
    expect((await getPendingChallenge(result.challengeId))?.mailQueued).toBe(false);
    expect((await processMailQueue({ now: later() })).sent).toBe(0);
    expect(sink.to(email)).toHaveLength(1);
  });

  it('queues the mail while SMTP is down, encrypted, and sends it once when SMTP is back', async () => {
    const counted = async (outcome: string) =>
      (await getMetrics().mails.get()).values.find(
        (v) => v.labels.purpose === 'sign-in' && v.labels.outcome === outcome,
      )?.value ?? 0;
    const [retriesBefore, sentBefore] = [await counted('retry'), await counted('sent')];
    const email = uniqueEmail('outage');
    const result = await signIn(email);
    expect(result.mail).toBe('queued');
    expect((await getPendingChallenge(result.challengeId))?.mailQueued).toBe(true);
    const stored = await rowAsText(result.challengeId);
    const row = await prisma.mailQueue.findUniqueOrThrow({
      where: { idempotencyKey: `sign-in:${result.challengeId}` },
    });
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.payload?.length).toBeGreaterThan(100);

    // Still down: the worker tries, and keeps it.
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 0, retry: 1 });

    await sink.start();
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 1 });
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 0, retry: 0 });
    const received = sink.to(email);
    expect(received).toHaveLength(1);
    expect(received[0]!.messageId).toMatch(/^<[0-9a-f]{32}@localhost>$/);

    // What the database held while the mail waited: nothing that signs in, nor the address.
    const { code, token } = codeAndToken(received[0]!.text ?? '');
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(email);
    expect(stored.toLowerCase()).not.toContain('signin/confirm');

    const sent = await prisma.mailQueue.findUniqueOrThrow({
      where: { idempotencyKey: `sign-in:${result.challengeId}` },
    });
    expect(sent).toMatchObject({ status: 'sent', payload: null, attempts: 3 });
    // /api/metrics: two tries that failed (inline, then the worker's), one that sent.
    expect(await counted('retry')).toBe(retriesBefore + 2);
    expect(await counted('sent')).toBe(sentBefore + 1);
    expect((await getPendingChallenge(result.challengeId))?.mailQueued).toBe(false);
    // The code of the mail that waited works.
    expect((await verifyCode(result.challengeId, code, uniqueIp())).ok).toBe(true);
  });

  it('two workers at once send each queued mail once', async () => {
    const emails = Array.from({ length: 6 }, (_, i) => uniqueEmail(`pair-${i}`));
    for (const email of emails) expect((await signIn(email)).mail).toBe('queued');
    await sink.start();
    const runs = await Promise.all([processMailQueue({ now: later() }), processMailQueue({ now: later() })]);
    expect(runs[0].sent + runs[1].sent).toBe(6);
    for (const email of emails) expect(sink.to(email)).toHaveLength(1);
    expect(await prisma.mailQueue.count({ where: { status: 'sent', payload: null } })).toBe(6);
  });

  it('enqueues one mail per request: the same key twice is one row', async () => {
    const key = `test:${crypto.randomUUID()}`;
    const mail = { to: uniqueEmail(), subject: 's', text: 't', html: '<p>t</p>', locale: 'en' as const };
    const ids = await prisma.$transaction(async (tx) => [
      await enqueueMail(tx, { ...mail, key, purpose: 'security-notice' }),
      await enqueueMail(tx, { ...mail, key, purpose: 'security-notice' }),
    ]);
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toBeNull();
    expect(await prisma.mailQueue.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it('drops a sign-in mail whose code has expired instead of sending it', async () => {
    const email = uniqueEmail('expired');
    const result = await signIn(email);
    await sink.start();
    const run = await processMailQueue({ now: new Date(Date.now() + 16 * 60_000) });
    expect(run).toMatchObject({ sent: 0, dropped: 1 });
    expect(sink.to(email)).toHaveLength(0);
    const row = await prisma.mailQueue.findUniqueOrThrow({
      where: { idempotencyKey: `sign-in:${result.challengeId}` },
    });
    expect(row).toMatchObject({ status: 'dropped', payload: null });
  });

  it('gives up after MAIL_MAX_ATTEMPTS tries, erasing the body, and never sends it after', async () => {
    const customer = await createCustomer({ email: uniqueEmail('notice') });
    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: 'Firefox on Linux' }, { notify: true });
    const key = { startsWith: 'security:' };
    expect(await prisma.mailQueue.findFirstOrThrow({ where: { idempotencyKey: key } })).toMatchObject({
      status: 'pending',
      attempts: 1,
    });
    expect(await processMailQueue({ now: later() })).toMatchObject({ retry: 1 });
    expect(await processMailQueue({ now: later() })).toMatchObject({ failed: 1 });
    const row = await prisma.mailQueue.findFirstOrThrow({ where: { idempotencyKey: key } });
    expect(row).toMatchObject({ status: 'failed', attempts: 3, payload: null, lastError: 'ESOCKET' });
    await sink.start();
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 0 });
    expect(sink.to(customer.email)).toHaveLength(0);
  });

  it('the worker loop sends what is due, and stops', async () => {
    const email = uniqueEmail('loop');
    const result = await signIn(email);
    expect(result.mail).toBe('queued');
    await prisma.mailQueue.updateMany({ where: { status: 'pending' }, data: { nextAttemptAt: new Date() } });
    await sink.start();
    const stop = startMailWorker({ pollIntervalMs: 50 });
    try {
      await expect.poll(() => sink.to(email).length, { timeout: 10_000 }).toBe(1);
    } finally {
      await stop();
    }
    expect(sink.to(email)).toHaveLength(1);
  });

  it('answers a known and an unknown address the same way while SMTP is down', async () => {
    const known = await createCustomer({ email: uniqueEmail('known') });
    const a = await signIn(known.email);
    const b = await signIn(uniqueEmail('unknown'));
    expect([a.mail, b.mail]).toEqual(['queued', 'queued']);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  });

  it('queues the confirmation of an email change while SMTP is down, and the profile says so until it is sent', async () => {
    const customer = await createCustomer({ email: uniqueEmail('change') });
    const newEmail = uniqueEmail('new');
    const opts = { ip: uniqueIp(), locale: 'en' as const, channel: 'portal' };
    expect(await requestEmailChange(customer.id, newEmail, opts)).toEqual({ ok: true });
    expect(await getPendingEmailChange(customer.id)).toMatchObject({ newEmail, mailQueued: true });
    await sink.start();
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 1 });
    expect(sink.to(newEmail)).toHaveLength(1);
    expect(await getPendingEmailChange(customer.id)).toMatchObject({ newEmail, mailQueued: false });
  });

  it('gives up at once on a permanent refusal (5xx), without naming the address', async () => {
    await sink.start();
    const email = uniqueEmail('nobody');
    const result = await signIn(email);
    expect(result.mail).toBe('queued');
    const row = await prisma.mailQueue.findUniqueOrThrow({
      where: { idempotencyKey: `sign-in:${result.challengeId}` },
    });
    expect(row).toMatchObject({ status: 'failed', attempts: 1, payload: null, lastError: 'EENVELOPE 550' });
    expect(await processMailQueue({ now: later() })).toMatchObject({ sent: 0, failed: 0 });
  });
});
