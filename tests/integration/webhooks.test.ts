import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, setAppDisabled } from '@/server/apps';
import { setConsent } from '@/server/consent';
import { deleteCustomer } from '@/server/customers';
import { prisma } from '@/server/db';
import { createCustomer, ensureConsentPurposes } from '@/server/factories';
import { updateProfile } from '@/server/profile';
import {
  backoffDelay,
  deliverDue,
  deliverySettings,
  dispatchOutbox,
  listDeliveries,
  redriveDeliveries,
  startWebhookWorker,
  type WebhookWorker,
} from '@/server/webhooks';
import { uniqueEmail } from './helpers';
import { startReceiver, type Receiver } from './webhook-receiver';

const address = { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' };
const newAddress = { country: 'FR', line1: '8 rue de Rivoli', line2: '', postalCode: '75004', city: 'Paris' };
const portal = { channel: 'portal', expectedVersion: null } as const;
const settings = () => deliverySettings({ timeoutMs: 2_000, maxAttempts: 3, leaseMarginMs: 1_000, backoff: { baseMs: 5 } });
const quietLog = { info: () => {}, warn: () => {}, error: (...args: unknown[]) => console.error('[webhooks]', ...args) };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

/** An app with a webhook to `url`; disabled after the test so later tests do not send to it. */
async function webhookApp(url: string, fields = 'name,postalAddress', purposes = 'service') {
  const created = await createApp({ name: `hooks-${randomUUID().slice(0, 8)}`, purposes, fields, webhook: url });
  cleanups.push(() => setAppDisabled(created.app.name, true));
  return created;
}

function worker(options: Parameters<typeof startWebhookWorker>[0] = {}): WebhookWorker {
  const w = startWebhookWorker({ pollIntervalMs: 50, timeoutMs: 2_000, leaseMarginMs: 1_000, backoff: { baseMs: 10 }, log: quietLog, ...options });
  cleanups.push(() => w.stop());
  return w;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const events = (customerId: string) =>
  prisma.outboxEvent.findMany({ where: { customerId }, orderBy: { id: 'asc' }, select: { eventId: true, type: true, occurredAt: true } });

/** Fans out, then sends what is due until nothing is. */
async function deliverAll() {
  await dispatchOutbox();
  for (let i = 0; i < 10; i++) if ((await deliverDue({ settings: settings() })).length === 0) return;
}

describe('webhooks', () => {
  beforeAll(ensureConsentPurposes);

  it('signs each webhook with the app secret (Standard Webhooks), names the outbox event, and carries only what the policy shows the app', async () => {
    const r = await receiver();
    const { app, webhookSecret } = await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana', lastName: 'Silva', address });
    expect(await updateProfile(customer.id, { firstName: 'Zoé', phone: '+33 6 12 34 56 78', addresses: { home: newAddress } }, portal)).toMatchObject({ ok: true });
    const before = Math.floor(Date.now() / 1000);
    await deliverAll();

    expect(r.received).toHaveLength(1);
    const [hook] = r.received;
    const [event] = await events(customer.id);
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.id).toBe(event!.eventId);
    expect(Number(hook!.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before - 1);
    expect(hook!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);

    const verified = new Webhook(webhookSecret!).verify(hook!.body, hook!.headers as Record<string, string>);
    expect(verified).toEqual({
      type: 'customer.updated',
      timestamp: event!.occurredAt.toISOString(),
      data: {
        customerId: customer.id,
        // The phone changed too, but this app may not see phones.
        changed: ['name', 'postalAddress'],
        customer: {
          id: customer.id,
          version: expect.any(Number),
          updatedAt: expect.any(String),
          firstName: 'Zoé',
          lastName: 'Silva',
          addresses: { home: { ...newAddress, line2: null }, billing: null, shipping: null },
        },
      },
    });
    // A changed body, another app's secret: refused.
    expect(() => new Webhook(webhookSecret!).verify(hook!.body.replace('Zoé', 'Eve'), hook!.headers as Record<string, string>)).toThrow();
    const other = await webhookApp(r.url);
    expect(() => new Webhook(other.webhookSecret!).verify(hook!.body, hook!.headers as Record<string, string>)).toThrow();

    // The read is in the customer's "who looked at my data" list.
    const logged = await prisma.dataAccessLog.findMany({ where: { customerId: customer.id, accessorId: app.clientId }, select: { fields: true, reason: true } });
    expect(logged).toEqual([{ fields: ['name', 'postalAddress'], reason: 'webhook customer.updated' }]);
    expect(await listDeliveries(app.name)).toMatchObject([{ eventId: event!.eventId, type: 'customer.updated', status: 'delivered', attempts: 1, lastStatus: 204, lastError: null }]);
  });

  it('builds the payload at delivery time: a withdrawal applies to the next webhook, even for an event queued before it', async () => {
    const r = await receiver();
    const { app } = await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail(), address });
    await updateProfile(customer.id, { addresses: { home: newAddress } }, portal);
    expect(await dispatchOutbox()).toMatchObject({ events: 1, deliveries: 1 });
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: app.id } });
    await deliverAll();

    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.json.data).toEqual({
      customerId: customer.id,
      changed: [],
      customer: { id: customer.id, version: expect.any(Number), updatedAt: expect.any(String) },
    });
    expect(r.received[0]!.body).not.toContain('Rivoli');
  });

  it('sends consent.updated with no changed field, customer.deleted with the id alone to every app (withdrawn ones too), and null for a customer gone since', async () => {
    const r = await receiver();
    const { app: shop } = await webhookApp(`${r.url}?app=shop`, 'name,email:marketing-emails', 'service,marketing-emails');
    const { app: withdrawn } = await webhookApp(`${r.url}?app=withdrawn`);
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Léa', address });
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: withdrawn.id } });
    const sent = (app: string, type: string) => r.received.filter((h) => h.url.endsWith(`app=${app}`) && h.json.type === type).map((h) => h.json.data);

    await setConsent(customer.id, { purposeKey: 'marketing-emails', version: 1, granted: true }, { channel: 'portal', collectionMethod: 'test' });
    await deliverAll();
    const stamp = { version: expect.any(Number), updatedAt: expect.any(String) };
    expect(sent('shop', 'consent.updated')).toEqual([
      { customerId: customer.id, changed: [], customer: { id: customer.id, ...stamp, firstName: 'Léa', lastName: null, email: customer.email, emailVerified: true } },
    ]);
    expect(sent('withdrawn', 'consent.updated')).toEqual([{ customerId: customer.id, changed: [], customer: { id: customer.id, ...stamp } }]);

    // An update queued, then the account deleted before it is sent.
    await updateProfile(customer.id, { firstName: 'Lou' }, portal);
    await dispatchOutbox();
    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });
    r.received.length = 0;
    await deliverAll();

    for (const app of ['shop', 'withdrawn']) {
      expect(sent(app, 'customer.updated')).toEqual([{ customerId: customer.id, changed: [], customer: null }]);
      expect(sent(app, 'customer.deleted')).toEqual([{ customerId: customer.id }]);
    }
    expect((await listDeliveries(shop.name, { status: 'delivered' }))!.map((d) => d.type)).toEqual(['customer.deleted', 'customer.updated', 'consent.updated']);
    expect((await listDeliveries(withdrawn.clientId, { status: 'delivered' }))!.map((d) => d.type)).toEqual(['customer.deleted', 'customer.updated', 'consent.updated']);
  });

  it('sends nothing of what happened before the app existed or while it was disabled; a disabled app’s queued deliveries wait until it is enabled', async () => {
    const r = await receiver();
    const customer = await createCustomer({ email: uniqueEmail() });
    await updateProfile(customer.id, { firstName: 'Before' }, portal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { app } = await webhookApp(r.url);
    await updateProfile(customer.id, { firstName: 'Queued' }, portal);
    await dispatchOutbox();
    await setAppDisabled(app.name, true);
    await updateProfile(customer.id, { firstName: 'WhileDisabled' }, portal);
    await deliverAll();
    expect(r.received).toHaveLength(0);
    expect(await listDeliveries(app.name)).toMatchObject([{ status: 'pending', attempts: 0 }]);

    await setAppDisabled(app.name, false);
    await deliverAll();
    expect(r.received.map((h) => (h.json.data.customer as { firstName: string }).firstName)).toEqual(['WhileDisabled']);
    const [, queued] = await events(customer.id);
    expect(r.received.map((h) => h.id)).toEqual([queued!.eventId]);
  });

  it('retries with exponential backoff and jitter, the same webhook-id each time, dead after WEBHOOK_MAX_ATTEMPTS; redrive sends it again', async () => {
    const r = await receiver();
    r.answer(() => 503);
    const { app } = await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail() });
    worker({ maxAttempts: 4 });
    await updateProfile(customer.id, { firstName: 'Retry' }, portal);

    await r.waitFor((received) => received.length === 4);
    await expect.poll(async () => (await listDeliveries(app.name, { status: 'dead' }))!.length).toBe(1);
    const [row] = (await listDeliveries(app.name, { status: 'dead' }))!;
    expect(row).toMatchObject({ attempts: 4, lastStatus: 503, lastError: 'HTTP 503', deliveredAt: null });
    expect(new Set(r.received.map((h) => h.id))).toEqual(new Set([row!.eventId]));
    // No fifth try.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(4);

    r.answer(() => 200);
    expect(await redriveDeliveries(app.name)).toBe(1);
    await r.waitFor((received) => received.length === 5);
    await expect.poll(async () => (await listDeliveries(app.name))![0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect(r.received[4]!.id).toBe(row!.eventId);
    // Only dead ones are redriven by default; a given id is sent again whatever its state ("#id" as the list prints it).
    expect(await redriveDeliveries(app.name)).toBe(0);
    expect(await redriveDeliveries(app.name, { ids: [`#${row!.id}`, 'nonsense'] })).toBe(1);
    await r.waitFor((received) => received.length === 6);
  });

  it('grows the retry delay by the factor up to the cap, drawn uniformly below it', () => {
    const backoff = { baseMs: 1_000, capMs: 3_600_000, factor: 4 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 3_600_000, 3_600_000]);
    expect(backoffDelay(5, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(8_000);
  });

  it('records timeouts and refused connections shortly and without the URL; 410 Gone is final', async () => {
    const r = await receiver();
    r.answer(() => 'hang');
    const hanging = await webhookApp(r.url);
    const refused = await webhookApp(`http://127.0.0.1:${await closedPort()}/webhooks?token=secret-in-url`);
    const customer = await createCustomer({ email: uniqueEmail() });
    await updateProfile(customer.id, { firstName: 'Timeout' }, portal);
    await dispatchOutbox();
    const outcomes = await deliverDue({ settings: deliverySettings({ timeoutMs: 300, maxAttempts: 3, backoff: { baseMs: 5 } }) });
    expect(outcomes.map((o) => [o.appName, o.result, o.error]).sort()).toEqual(
      [
        [hanging.app.name, 'retry', 'timeout after 300 ms'],
        [refused.app.name, 'retry', 'network error ECONNREFUSED'],
      ].sort(),
    );
    expect((await listDeliveries(refused.app.name))![0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: 'network error ECONNREFUSED' });

    r.answer(() => 410);
    await setAppDisabled(refused.app.name, true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await deliverDue({ settings: settings() })).map((o) => o.result)).toEqual(['dead']);
    expect((await listDeliveries(hanging.app.name))![0]).toMatchObject({ status: 'dead', attempts: 2, lastStatus: 410, lastError: 'HTTP 410' });
  });

  it('wakes on the outbox NOTIFY: delivered at once, without waiting for the poll', async () => {
    const r = await receiver();
    await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail() });
    const w = worker({ pollIntervalMs: 60_000 });
    await w.listening;
    // Let the first pass (run when LISTEN starts) finish.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      expect(await updateProfile(customer.id, { firstName: `Wake${'abcdefghij'[i]}` }, portal)).toMatchObject({ ok: true });
      const committed = Date.now();
      await r.waitFor((received) => received.length === i + 1, 5_000);
      latencies.push(r.received[i]!.at - committed);
    }
    console.log(`commit to webhook, in-process worker woken by NOTIFY: max ${Math.max(...latencies)} ms over ${latencies.length}`);
  });

  it('listens again after losing its connection, and catches up on what was committed meanwhile', async () => {
    const r = await receiver();
    await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail() });
    const w = worker({ pollIntervalMs: 60_000 });
    await w.listening;
    const listener = () =>
      prisma.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE application_name = 'accord-webhooks' AND datname = current_database()`;
    const [before] = await listener();
    expect(before).toBeDefined();
    await prisma.$queryRaw`SELECT pg_terminate_backend(${before!.pid}::int)::text`;
    // Committed while nobody listens: found by the pass that follows the reconnection.
    await updateProfile(customer.id, { firstName: 'Meanwhile' }, portal);
    await r.waitFor((received) => received.length === 1, 10_000);
    await expect.poll(async () => (await listener()).map((l) => l.pid)).not.toEqual([before!.pid]);
    expect(await listener()).toHaveLength(1);
    // And woken by NOTIFY again, the poll being a minute away.
    await updateProfile(customer.id, { firstName: 'Afterwards' }, portal);
    await r.waitFor((received) => received.length === 2, 5_000);
  });

  it('answers null for an unknown app', async () => {
    expect(await listDeliveries('no-such-app')).toBeNull();
    expect(await redriveDeliveries('no-such-app')).toBeNull();
  });
});
