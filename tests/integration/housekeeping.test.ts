import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { getPool, prisma } from '@/server/platform/db';
import { runHousekeeping, startHousekeeping } from '@/server/platform/housekeeping';
import { createCustomer, createStaffMember, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';

// On this test file's own database (fresh from the migrated template): an old
// and a fresh row in each table housekeeping looks at. Defaults: expired rows
// kept a day, outbox and webhook rows 30 days, the access log 395 days.
const DAY = 24 * 60 * 60 * 1000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const hash = () => randomBytes(32).toString('hex');

let customerId: string;
let appId: string;
let staffId: string;

beforeAll(async () => {
  await ensureConsentPurposes();
  await applyPersonalizationReferenceData();
  customerId = (await createCustomer({ email: uniqueEmail() })).id;
  staffId = (await createStaffMember({ roles: ['marketer'] })).id;
  appId = (
    await createApp(
      {
        name: `housekeeping-${randomUUID().slice(0, 8)}`,
        purposes: 'service',
        fields: 'name',
        webhook: 'http://localhost:9/hook',
      },
      TEST_ACTOR,
    )
  ).app.id;
});

async function seed() {
  const challenge = (expiresAt: Date) =>
    prisma.signInChallenge.create({
      data: { email: uniqueEmail(), linkTokenHash: hash(), codeHash: hash(), expiresAt },
      select: { id: true },
    });
  const webauthn = (expiresAt: Date) =>
    prisma.webAuthnChallenge.create({
      data: { challenge: hash(), purpose: 'authenticate', expiresAt },
      select: { id: true },
    });
  const link = (expiresAt: Date) =>
    prisma.pendingIdentityLink.create({
      data: {
        tokenHash: hash(),
        customerId,
        provider: 'oidc',
        providerAccountId: randomUUID(),
        account: {},
        expiresAt,
      },
      select: { id: true },
    });
  const session = (expires: Date) =>
    prisma.session.create({ data: { sessionToken: hash(), userId: customerId, expires }, select: { id: true } });
  const staffSession = (createdAt: Date, lastActiveAt: Date) =>
    prisma.staffSession.create({
      data: {
        tokenHash: hash(),
        staffId,
        createdAt,
        expiresAt: new Date(createdAt.getTime() + 12 * 60 * 60 * 1000),
        lastActiveAt,
      },
      select: { id: true },
    });
  const invitation = (expiresAt: Date, usedAt: Date | null = null) =>
    prisma.staffInvitation.create({
      data: { tokenHash: hash(), staffId, expiresAt, usedAt, revokedAt: usedAt ? null : new Date(0) },
      select: { id: true },
    });
  const rateLimit = async (expire: Date) => {
    const key = `test:${randomUUID()}`;
    await prisma.rateLimit.create({ data: { key, points: 1, expire: BigInt(expire.getTime()) } });
    return { id: key };
  };
  const event = (dispatchedAt: Date | null, status?: string) =>
    prisma.outboxEvent.create({
      data: {
        type: 'customer.updated',
        customerId,
        payload: {},
        occurredAt: dispatchedAt ?? now,
        dispatchedAt,
        ...(status ? { deliveries: { create: { appId, status, createdAt: dispatchedAt ?? now } } } : {}),
      },
      select: { id: true, deliveries: { select: { id: true } } },
    });
  const access = async (occurredAt: Date) => {
    const { rows } = await getPool().query<{ id: string }>(
      `INSERT INTO data_access_log (customer_id, accessor_type, accessor_id, accessor_name, fields, purpose, occurred_at)
       VALUES ($1, 'app', 'test', 'Test', '{name}', 'service', $2) RETURNING id`,
      [customerId, occurredAt],
    );
    return { id: BigInt(rows[0]!.id) };
  };
  const mail = (finishedAt: Date | null) =>
    prisma.mailQueue.create({
      data: {
        idempotencyKey: `test:${randomUUID()}`,
        purpose: 'sign-in',
        status: finishedAt ? 'sent' : 'pending',
        payload: finishedAt ? null : randomBytes(64),
        createdAt: finishedAt ?? ago(31),
        finishedAt,
      },
      select: { id: true },
    });

  // Signals count for SIGNAL_RETENTION_DAYS (90); Idempotency-Keys replay until expires_at.
  const signal = (occurredAt: Date) =>
    prisma.customerSignal.create({
      data: { customerId, kind: 'viewed', category: 'running', occurredAt },
      select: { id: true },
    });
  const idempotencyKey = async (expiresAt: Date) => {
    const key = randomUUID();
    await prisma.apiIdempotencyKey.create({
      data: { appId, key, customerId, fingerprint: hash(), status: 201, expiresAt },
    });
    return { id: key };
  };

  return {
    old: {
      challenge: await challenge(ago(2)),
      webauthn: await webauthn(ago(2)),
      link: await link(ago(2)),
      session: await session(ago(2)),
      staffSessionPastTwelveHours: await staffSession(new Date(now.getTime() - 13 * 60 * 60 * 1000), now),
      staffSessionIdle: await staffSession(new Date(now.getTime() - 60 * 60 * 1000), ago(31 / 1440)),
      invitation: await invitation(ago(2), ago(2.5)),
      rateLimit: await rateLimit(new Date(now.getTime() - 1000)),
      delivered: await event(ago(31), 'delivered'),
      dead: await event(ago(31), 'dead'),
      access: await access(ago(396)),
      mail: await mail(ago(31)),
      signal: await signal(ago(90)),
      idempotencyKey: await idempotencyKey(new Date(now.getTime() - 1000)),
    },
    kept: {
      // Expired, but less than a day ago: a late click still gets "expired".
      challenge: await challenge(new Date(now.getTime() - 60_000)),
      webauthn: await webauthn(new Date(now.getTime() + 60_000)),
      link: await link(new Date(now.getTime() - 60_000)),
      session: await session(new Date(now.getTime() + DAY)),
      staffSession: await staffSession(new Date(now.getTime() - 60 * 60 * 1000), ago(29 / 1440)),
      // Expired an hour ago: the link still says "expired", not "unknown".
      invitation: await invitation(new Date(now.getTime() - 60 * 60 * 1000)),
      rateLimit: await rateLimit(new Date(now.getTime() + 60_000)),
      recent: await event(ago(29), 'delivered'),
      // Old, but a delivery is still pending: deleting the event would delete it.
      pending: await event(ago(31), 'pending'),
      undispatched: await event(null),
      access: await access(ago(394)),
      mail: await mail(ago(29)),
      // Old, but never sent: the worker still has it.
      pendingMail: await mail(null),
      signal: await signal(ago(89.9)),
      idempotencyKey: await idempotencyKey(new Date(now.getTime() + 60_000)),
    },
  };
}

describe('housekeeping', () => {
  it('removes what is past its retention, keeps the rest, and a second run removes nothing', async () => {
    const rows = await seed();
    const oidcId = randomUUID();
    await getPool().query(
      `INSERT INTO oidc_payloads (model, id, payload, expires_at) VALUES
         ('AccessToken', $1, '{}', $2), ('AccessToken', $3, '{}', $4)`,
      [`old-${oidcId}`, new Date(now.getTime() - 1000), `kept-${oidcId}`, new Date(now.getTime() + 60_000)],
    );
    const oidcRows = async () =>
      (
        await getPool().query<{ id: string }>('SELECT id FROM oidc_payloads WHERE id LIKE $1 ORDER BY id', [
          `%-${oidcId}`,
        ])
      ).rows.map((r) => r.id);
    const result = await runHousekeeping(now);
    expect(await oidcRows()).toEqual([`kept-${oidcId}`]);
    expect(result).toEqual({
      ran: true,
      removed: {
        sign_in_challenges: 1,
        webauthn_challenges: 1,
        pending_identity_links: 1,
        sessions: 1,
        staff_sessions: 2,
        staff_invitations: 1,
        rate_limits: 1,
        webhook_deliveries: 2,
        outbox_events: 2,
        mail_queue: 1,
        data_access_log: 1,
        customer_signals: 1,
        api_idempotency_keys: 1,
        oidc_payloads: 1,
        oidc_consent_choices: 0,
      },
    });

    const exists = {
      challenge: (id: string) => prisma.signInChallenge.count({ where: { id } }),
      webauthn: (id: string) => prisma.webAuthnChallenge.count({ where: { id } }),
      link: (id: string) => prisma.pendingIdentityLink.count({ where: { id } }),
      session: (id: string) => prisma.session.count({ where: { id } }),
      staffSession: (id: string) => prisma.staffSession.count({ where: { id } }),
      invitation: (id: string) => prisma.staffInvitation.count({ where: { id } }),
      rateLimit: (key: string) => prisma.rateLimit.count({ where: { key } }),
      event: (id: bigint) => prisma.outboxEvent.count({ where: { id } }),
      access: (id: bigint) => prisma.dataAccessLog.count({ where: { id } }),
      mail: (id: string) => prisma.mailQueue.count({ where: { id } }),
      signal: (id: bigint) => prisma.customerSignal.count({ where: { id } }),
      idempotencyKey: (key: string) => prisma.apiIdempotencyKey.count({ where: { appId, key } }),
    };
    const { old, kept } = rows;
    expect(
      await Promise.all([
        exists.challenge(old.challenge.id),
        exists.webauthn(old.webauthn.id),
        exists.link(old.link.id),
        exists.session(old.session.id),
        exists.staffSession(old.staffSessionPastTwelveHours.id),
        exists.staffSession(old.staffSessionIdle.id),
        exists.invitation(old.invitation.id),
        exists.rateLimit(old.rateLimit.id),
        exists.event(old.delivered.id),
        exists.event(old.dead.id),
        exists.access(old.access.id),
        exists.mail(old.mail.id),
        exists.signal(old.signal.id),
        exists.idempotencyKey(old.idempotencyKey.id),
      ]),
    ).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(
      await Promise.all([
        exists.challenge(kept.challenge.id),
        exists.webauthn(kept.webauthn.id),
        exists.link(kept.link.id),
        exists.session(kept.session.id),
        exists.staffSession(kept.staffSession.id),
        exists.invitation(kept.invitation.id),
        exists.rateLimit(kept.rateLimit.id),
        exists.event(kept.recent.id),
        exists.event(kept.pending.id),
        exists.event(kept.undispatched.id),
        exists.access(kept.access.id),
        exists.mail(kept.mail.id),
        exists.mail(kept.pendingMail.id),
        exists.signal(kept.signal.id),
        exists.idempotencyKey(kept.idempotencyKey.id),
      ]),
    ).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await prisma.webhookDelivery.count({ where: { id: kept.pending.deliveries[0]!.id } })).toBe(1);

    const again = await runHousekeeping(now);
    expect(again.ran && Object.values(again.removed).every((n) => n === 0)).toBe(true);
  });

  it('deletes in batches past the batch size', async () => {
    await getPool().query(
      `INSERT INTO rate_limits (key, points, expire)
       SELECT 'batch:' || g, 1, $1 FROM generate_series(1, 2500) g`,
      [now.getTime() - 1000],
    );
    const result = await runHousekeeping(now);
    expect(result.ran && result.removed.rate_limits).toBe(2500);
  });

  it('leaves the run to the process that holds the lock', async () => {
    const other = await getPool().connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [0x61636b68]);
      expect(await runHousekeeping(now)).toEqual({ ran: false });
      await other.query('SELECT pg_advisory_unlock($1)', [0x61636b68]);
    } finally {
      other.release();
    }
    expect((await runHousekeeping(now)).ran).toBe(true);
  });

  it('runs on its schedule and logs counts per table, nothing else', async () => {
    const email = uniqueEmail();
    await prisma.signInChallenge.create({
      data: { email, linkTokenHash: hash(), codeHash: hash(), expiresAt: ago(3) },
    });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const stop = startHousekeeping({ firstRunDelayMs: 0, log: pino(sink) });
    await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await stop();
    expect(JSON.parse(lines[0]!)).toMatchObject({
      component: 'housekeeping',
      msg: 'housekeeping run',
      removed: { sign_in_challenges: 1, webauthn_challenges: 0, data_access_log: 0 },
    });
    expect(lines.join('')).not.toContain(email);
  });
});
