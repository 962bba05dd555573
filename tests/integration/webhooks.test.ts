import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createApp, setAppDisabled } from '@/server/apps/registry';
import {
  backoffDelay,
  deliverDue,
  deliverySettings,
  dispatchOutbox,
  listDeliveries,
  redriveDeliveries,
  startWebhookWorker,
  type WebhookWorker,
} from '@/server/apps/webhooks';
import { setAppAccess } from '@/server/consent/app-access';
import { setConsent } from '@/server/consent/consent';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { deleteCustomer } from '@/server/customers/account';
import { confirmEmailChangeCode, requestEmailChange } from '@/server/customers/email-change';
import { updateProfile } from '@/server/customers/profile';
import { prisma } from '@/server/platform/db';
import { writeEvent } from '@/server/platform/outbox';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { startReceiver, type Receiver } from './webhook-receiver';

const address = { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' };
const newAddress = { country: 'FR', line1: '8 rue de Rivoli', line2: '', postalCode: '75004', city: 'Paris' };
const portal = { channel: 'portal', expectedVersion: null } as const;
const settings = () =>
  deliverySettings({ timeoutMs: 2_000, maxAttempts: 3, leaseMarginMs: 1_000, backoff: { baseMs: 5 } });
const quietLog = {
  info: () => {},
  warn: () => {},
  error: (message: string) => console.error('[webhooks]', message),
};

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
  const created = await createApp(
    { name: `hooks-${randomUUID().slice(0, 8)}`, purposes, fields, webhook: url },
    TEST_ACTOR,
  );
  cleanups.push(() => setAppDisabled(created.app.name, true, TEST_ACTOR));
  return created;
}

function worker(options: Parameters<typeof startWebhookWorker>[0] = {}): WebhookWorker {
  const w = startWebhookWorker({
    pollIntervalMs: 50,
    timeoutMs: 2_000,
    leaseMarginMs: 1_000,
    backoff: { baseMs: 10 },
    log: quietLog,
    ...options,
  });
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
  prisma.outboxEvent.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { eventId: true, type: true, occurredAt: true },
  });

/** Each delivery of the app for this customer, oldest first, as "type status". */
const deliveryStates = async (appId: string, customerId: string) =>
  (
    await prisma.webhookDelivery.findMany({
      where: { appId, event: { customerId } },
      orderBy: { id: 'asc' },
      select: { status: true, event: { select: { type: true } } },
    })
  ).map((d) => `${d.event.type} ${d.status}`);

/** The customer's "who looked at my data" rows naming this app. */
const accessLog = (customerId: string, clientId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId, accessorId: clientId },
    orderBy: { id: 'asc' },
    select: { fields: true, reason: true },
  });

const marketingConsent = (customerId: string, granted = true) =>
  setConsent(
    customerId,
    { purposeKey: 'marketing-emails', version: 1, granted },
    { channel: 'portal', collectionMethod: 'test' },
  );

/** An email change through the portal's own flow (code mailed to the new address): one customer.email_changed event. */
async function changeEmail(customerId: string): Promise<string> {
  const newEmail = uniqueEmail('new');
  expect(await requestEmailChange(customerId, newEmail, { ip: uniqueIp(), locale: 'en', channel: 'portal' })).toEqual({
    ok: true,
  });
  const mail = await prisma.devMail.findFirstOrThrow({ where: { to: newEmail }, orderBy: { createdAt: 'desc' } });
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1] ?? '';
  expect(await confirmEmailChangeCode(customerId, code, uniqueIp())).toEqual({ ok: true, newEmail });
  return newEmail;
}

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
    expect(
      await updateProfile(
        customer.id,
        { firstName: 'Zoé', phone: '+33 6 12 34 56 78', addresses: { home: newAddress } },
        portal,
      ),
    ).toMatchObject({ ok: true });
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
    expect(() =>
      new Webhook(webhookSecret!).verify(hook!.body.replace('Zoé', 'Eve'), hook!.headers as Record<string, string>),
    ).toThrow();
    const other = await webhookApp(r.url);
    expect(() =>
      new Webhook(other.webhookSecret!).verify(hook!.body, hook!.headers as Record<string, string>),
    ).toThrow();

    // The read is in the customer's "who looked at my data" list.
    const logged = await prisma.dataAccessLog.findMany({
      where: { customerId: customer.id, accessorId: app.clientId },
      select: { fields: true, reason: true },
    });
    expect(logged).toEqual([{ fields: ['name', 'postalAddress'], reason: 'webhook customer.updated' }]);
    expect(await listDeliveries(app.name)).toMatchObject([
      {
        eventId: event!.eventId,
        type: 'customer.updated',
        status: 'delivered',
        attempts: 1,
        lastStatus: 204,
        lastError: null,
      },
    ]);
  });

  it('decides at delivery time: after a withdrawal, a change queued before it is suppressed (not sent, not logged, never retried), the withdrawal itself arrives as consent.updated with customer null', async () => {
    const r = await receiver();
    const { app } = await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail(), address });
    await updateProfile(customer.id, { addresses: { home: newAddress } }, portal);
    expect(await dispatchOutbox()).toMatchObject({ events: 1, deliveries: 1 });
    expect(await setAppAccess(customer.id, app.id, false)).toEqual({ ok: true, changed: true });
    await deliverAll();

    // The queued customer.updated is not sent at all: no body, no timing, no version.
    expect(r.received.map((h) => [h.json.type, h.json.data])).toEqual([
      ['consent.updated', { customerId: customer.id, changed: [], customer: null }],
    ]);
    expect(r.received[0]!.body).not.toContain('version');
    expect(await deliveryStates(app.id, customer.id)).toEqual([
      'customer.updated suppressed',
      'consent.updated delivered',
    ]);
    const [consent, suppressed] = (await listDeliveries(app.name))!;
    expect(consent).toMatchObject({ type: 'consent.updated', status: 'delivered' });
    expect(suppressed).toMatchObject({
      type: 'customer.updated',
      status: 'suppressed',
      attempts: 1,
      lastStatus: null,
      lastError: null,
      deliveredAt: null,
    });
    // Nothing was read for it, nor for the bare consent.updated.
    expect(await accessLog(customer.id, app.clientId)).toEqual([]);

    // Later changes, consent changes included: suppressed at once, and never claimed again.
    // The withdrawal was the last event to name the customer to this app.
    await updateProfile(customer.id, { firstName: 'Later' }, portal);
    await marketingConsent(customer.id);
    await marketingConsent(customer.id, false);
    await deliverAll();
    await deliverAll();
    expect(r.received).toHaveLength(1);
    expect(await deliveryStates(app.id, customer.id)).toEqual([
      'customer.updated suppressed',
      'consent.updated delivered',
      'customer.updated suppressed',
      'consent.updated suppressed',
      'consent.updated suppressed',
    ]);
    expect((await listDeliveries(app.name, { status: 'suppressed' }))!.map((d) => d.attempts)).toEqual([1, 1, 1, 1]);
    expect(await accessLog(customer.id, app.clientId)).toEqual([]);

    // Allowed again: the consent.updated carries what it may see once more, and the read is logged.
    expect(await setAppAccess(customer.id, app.id, true)).toEqual({ ok: true, changed: true });
    await deliverAll();
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.json).toMatchObject({
      type: 'consent.updated',
      data: {
        customerId: customer.id,
        changed: [],
        customer: { id: customer.id, firstName: 'Later', addresses: { home: { line1: newAddress.line1 } } },
      },
    });
    expect(await accessLog(customer.id, app.clientId)).toEqual([
      { fields: ['name', 'postalAddress'], reason: 'webhook consent.updated' },
    ]);
  });

  it('sends consent.updated (nothing to an app withdrawn before it), customer.deleted with the id alone to every app (withdrawn ones too), and nothing else once the customer is gone, whose earlier deliveries are erased', async () => {
    const r = await receiver();
    const { app: shop } = await webhookApp(
      `${r.url}?app=shop`,
      'name,email:marketing-emails',
      'service,marketing-emails',
    );
    const { app: withdrawn } = await webhookApp(`${r.url}?app=withdrawn`);
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Léa', address });
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: withdrawn.id } });
    const sent = (app: string, type?: string) =>
      r.received.filter((h) => h.url.endsWith(`app=${app}`) && (!type || h.json.type === type)).map((h) => h.json.data);

    await marketingConsent(customer.id);
    await deliverAll();
    const stamp = { version: expect.any(Number), updatedAt: expect.any(String) };
    expect(sent('shop', 'consent.updated')).toEqual([
      {
        customerId: customer.id,
        changed: [],
        customer: {
          id: customer.id,
          ...stamp,
          firstName: 'Léa',
          lastName: null,
          email: customer.email,
          emailVerified: true,
        },
      },
    ]);
    // Withdrawn before this consent change: not told of it, nor given the customer's id again.
    expect(sent('withdrawn')).toEqual([]);

    // An update queued, then the account deleted before it is sent.
    await updateProfile(customer.id, { firstName: 'Lou' }, portal);
    await dispatchOutbox();
    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });
    r.received.length = 0;
    await deliverAll();

    for (const app of ['shop', 'withdrawn']) expect(sent(app)).toEqual([{ customerId: customer.id }]);
    expect(r.received.map((h) => h.json.type)).toEqual(['customer.deleted', 'customer.deleted']);
    // The earlier events and their deliveries went with the account: their instants are the
    // consent receipts' and would tie the pseudonymous receipts back to the id.
    for (const app of [shop, withdrawn]) {
      expect((await listDeliveries(app.name))!.map((d) => `${d.type} ${d.status}`)).toEqual([
        'customer.deleted delivered',
      ]);
    }
    expect(await prisma.outboxEvent.findMany({ where: { customerId: customer.id }, select: { type: true } })).toEqual([
      { type: 'customer.deleted' },
    ]);
  });

  it('sends an app the customer granted none of its purposes only consent.updated, with customer null, until a grant shows it something', async () => {
    const r = await receiver();
    const { app } = await webhookApp(r.url, 'name,email', 'marketing-emails');
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Noor' });
    await updateProfile(customer.id, { firstName: 'Nour', addresses: { home: newAddress } }, portal);
    await changeEmail(customer.id);
    await setConsent(
      customer.id,
      { purposeKey: 'analytics', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    await deliverAll();

    expect(r.received.map((h) => [h.json.type, h.json.data])).toEqual([
      ['consent.updated', { customerId: customer.id, changed: [], customer: null }],
    ]);
    expect(await deliveryStates(app.id, customer.id)).toEqual([
      'customer.updated suppressed',
      'customer.email_changed suppressed',
      'consent.updated delivered',
    ]);
    expect(await accessLog(customer.id, app.clientId)).toEqual([]);

    await marketingConsent(customer.id);
    await updateProfile(customer.id, { firstName: 'Nora' }, portal);
    await deliverAll();
    // Sent in parallel: in either order.
    const later = r.received
      .slice(1)
      .map((h) => [
        h.json.type,
        h.json.data.changed,
        (h.json.data.customer as { firstName?: string } | null)?.firstName,
      ]);
    expect(later.sort()).toEqual([
      ['consent.updated', [], 'Nora'],
      ['customer.updated', ['name'], 'Nora'],
    ]);
  });

  it('sends customer.email_changed only to apps that may see the email; to others it is customer.updated if a field they see changed too, else nothing', async () => {
    const r = await receiver();
    const { app: mailer } = await webhookApp(
      `${r.url}?app=mailer`,
      'name,email:marketing-emails',
      'service,marketing-emails',
    );
    const { app: postal } = await webhookApp(`${r.url}?app=postal`, 'name,postalAddress');
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Inès', address });
    await marketingConsent(customer.id);
    await deliverAll();
    r.received.length = 0;
    const sent = (app: string) => r.received.filter((h) => h.url.endsWith(`app=${app}`));
    // The postal app read the customer for that consent.updated.
    const postalReads = await accessLog(customer.id, postal.clientId);
    expect(postalReads).toEqual([{ fields: ['name', 'postalAddress'], reason: 'webhook consent.updated' }]);

    const newEmail = await changeEmail(customer.id);
    await deliverAll();
    const [event] = (await events(customer.id)).filter((e) => e.type === 'customer.email_changed');
    expect(
      sent('mailer').map((h) => [
        h.id,
        h.json.type,
        h.json.data.changed,
        (h.json.data.customer as { email?: string }).email,
      ]),
    ).toEqual([[event!.eventId, 'customer.email_changed', ['email'], newEmail]]);
    expect(sent('postal')).toEqual([]);
    expect((await listDeliveries(postal.name))![0]).toMatchObject({
      eventId: event!.eventId,
      type: 'customer.email_changed',
      status: 'suppressed',
    });
    expect(await accessLog(customer.id, postal.clientId)).toEqual(postalReads);

    // An email change that touched a field the postal app sees too (the name): told as customer.updated, without the email.
    await prisma.$transaction((tx) =>
      writeEvent(tx, 'customer.email_changed', customer.id, { fields: ['email', 'firstName'], channel: 'portal' }),
    );
    await deliverAll();
    const [, both] = (await events(customer.id)).filter((e) => e.type === 'customer.email_changed');
    expect(
      sent('mailer')
        .slice(1)
        .map((h) => [h.id, h.json.type, h.json.data.changed]),
    ).toEqual([[both!.eventId, 'customer.email_changed', ['name', 'email']]]);
    expect(sent('postal').map((h) => [h.id, h.json.type, h.json.data.changed])).toEqual([
      [both!.eventId, 'customer.updated', ['name']],
    ]);
    expect(sent('postal')[0]!.body).not.toContain('email');
    expect(sent('postal')[0]!.body).not.toContain(newEmail);
    expect(await accessLog(customer.id, postal.clientId)).toEqual([
      ...postalReads,
      { fields: ['name', 'postalAddress'], reason: 'webhook customer.updated' },
    ]);
    expect(await listDeliveries(mailer.name)).toHaveLength(3);
  });

  it('suppresses a customer.updated that changed no field the app may see, without reading or logging anything', async () => {
    const r = await receiver();
    const { app } = await webhookApp(r.url, 'name,postalAddress');
    const customer = await createCustomer({ email: uniqueEmail() });
    await updateProfile(customer.id, { phone: '+33 6 12 34 56 78' }, portal);
    await deliverAll();
    expect(r.received).toEqual([]);
    expect(await deliveryStates(app.id, customer.id)).toEqual(['customer.updated suppressed']);
    expect(await accessLog(customer.id, app.clientId)).toEqual([]);

    await updateProfile(customer.id, { phone: '+33 6 98 76 54 32', firstName: 'Yann' }, portal);
    await deliverAll();
    expect(r.received.map((h) => [h.json.type, h.json.data.changed])).toEqual([['customer.updated', ['name']]]);
    expect(r.received[0]!.body).not.toContain('+336');
  });

  it('sends customer.created to every app that may see something of the new customer, even if the fields it lists are not among them; to others nothing', async () => {
    const r = await receiver();
    const { app: postal } = await webhookApp(`${r.url}?app=postal`, 'name,postalAddress');
    const { app: mailer } = await webhookApp(`${r.url}?app=mailer`, 'name,email', 'service');
    const { app: marketing } = await webhookApp(`${r.url}?app=marketing`, 'email', 'marketing-emails');
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Eli', address });
    // As sign-in writes it (server/identity/sign-in.ts).
    await prisma.$transaction((tx) => writeEvent(tx, 'customer.created', customer.id, { fields: ['email'] }));
    await deliverAll();
    const sent = (app: string) =>
      r.received
        .filter((h) => h.url.endsWith(`app=${app}`))
        .map((h) => [h.json.type, h.json.data.changed, Object.keys(h.json.data.customer ?? {}).sort()]);

    expect(sent('postal')).toEqual([
      ['customer.created', [], ['addresses', 'firstName', 'id', 'lastName', 'updatedAt', 'version']],
    ]);
    expect(sent('mailer')).toEqual([
      [
        'customer.created',
        ['email'],
        ['email', 'emailVerified', 'firstName', 'id', 'lastName', 'updatedAt', 'version'],
      ],
    ]);
    expect(sent('marketing')).toEqual([]);
    expect(await deliveryStates(marketing.id, customer.id)).toEqual(['customer.created suppressed']);
    expect(await accessLog(customer.id, postal.clientId)).toEqual([
      { fields: ['name', 'postalAddress'], reason: 'webhook customer.created' },
    ]);
    expect(await accessLog(customer.id, mailer.clientId)).toHaveLength(1);
    expect(await accessLog(customer.id, marketing.clientId)).toEqual([]);
  });

  it('sends nothing of what happened before the app existed or while it was disabled; a disabled app’s queued deliveries wait until it is enabled', async () => {
    const r = await receiver();
    const customer = await createCustomer({ email: uniqueEmail() });
    await updateProfile(customer.id, { firstName: 'Before' }, portal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { app } = await webhookApp(r.url);
    await updateProfile(customer.id, { firstName: 'Queued' }, portal);
    await dispatchOutbox();
    await setAppDisabled(app.name, true, TEST_ACTOR);
    await updateProfile(customer.id, { firstName: 'WhileDisabled' }, portal);
    await deliverAll();
    expect(r.received).toHaveLength(0);
    expect(await listDeliveries(app.name)).toMatchObject([{ status: 'pending', attempts: 0 }]);

    await setAppDisabled(app.name, false, TEST_ACTOR);
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
    expect(await redriveDeliveries(app.name, {}, TEST_ACTOR)).toBe(1);
    await r.waitFor((received) => received.length === 5);
    await expect
      .poll(async () => (await listDeliveries(app.name))![0])
      .toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect(r.received[4]!.id).toBe(row!.eventId);
    // Only dead ones are redriven by default; a given id is sent again whatever its state ("#id" as the list prints it).
    expect(await redriveDeliveries(app.name, {}, TEST_ACTOR)).toBe(0);
    expect(await redriveDeliveries(app.name, { ids: [`#${row!.id}`, 'nonsense'] }, TEST_ACTOR)).toBe(1);
    await r.waitFor((received) => received.length === 6);
  });

  it('grows the retry delay by the factor up to the cap, drawn uniformly below it', () => {
    const backoff = { baseMs: 1_000, capMs: 3_600_000, factor: 4 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([
      1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 3_600_000, 3_600_000,
    ]);
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
    const outcomes = await deliverDue({
      settings: deliverySettings({ timeoutMs: 300, maxAttempts: 3, backoff: { baseMs: 5 } }),
    });
    expect(outcomes.map((o) => [o.appName, o.result, o.error]).sort()).toEqual(
      [
        [hanging.app.name, 'retry', 'timeout after 300 ms'],
        [refused.app.name, 'retry', 'network error ECONNREFUSED'],
      ].sort(),
    );
    expect((await listDeliveries(refused.app.name))![0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatus: null,
      lastError: 'network error ECONNREFUSED',
    });

    r.answer(() => 410);
    await setAppDisabled(refused.app.name, true, TEST_ACTOR);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await deliverDue({ settings: settings() })).map((o) => o.result)).toEqual(['dead']);
    expect((await listDeliveries(hanging.app.name))![0]).toMatchObject({
      status: 'dead',
      attempts: 2,
      lastStatus: 410,
      lastError: 'HTTP 410',
    });
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
      expect(await updateProfile(customer.id, { firstName: `Wake${'abcdefghij'[i]}` }, portal)).toMatchObject({
        ok: true,
      });
      const committed = Date.now();
      await r.waitFor((received) => received.length === i + 1, 5_000);
      latencies.push(r.received[i]!.at - committed);
    }
    console.log(
      `commit to webhook, in-process worker woken by NOTIFY: max ${Math.max(...latencies)} ms over ${latencies.length}`,
    );
  });

  it('listens again after losing its connection, and catches up on what was committed meanwhile', async () => {
    const r = await receiver();
    await webhookApp(r.url);
    const customer = await createCustomer({ email: uniqueEmail() });
    const w = worker({ pollIntervalMs: 60_000 });
    await w.listening;
    const listener = () =>
      prisma.$queryRaw<
        Array<{ pid: number }>
      >`SELECT pid FROM pg_stat_activity WHERE application_name = 'accord-webhooks' AND datname = current_database()`;
    const [before] = await listener();
    expect(before).toBeDefined();
    await prisma.$queryRaw`SELECT pg_terminate_backend(${before!.pid}::int)::text`;
    // Committed while nobody listens: found by the pass that follows the reconnection.
    await updateProfile(customer.id, { firstName: 'Meanwhile' }, portal);
    await r.waitFor((received) => received.length === 1, 10_000);
    // One listener again, on a new connection (an empty list is the gap between the two).
    await expect
      .poll(async () => {
        const pids = (await listener()).map((l) => l.pid);
        return pids.length === 1 && pids[0] !== before!.pid;
      })
      .toBe(true);
    // And woken by NOTIFY again, the poll being a minute away.
    await updateProfile(customer.id, { firstName: 'Afterwards' }, portal);
    await r.waitFor((received) => received.length === 2, 5_000);
  });

  it('answers null for an unknown app', async () => {
    expect(await listDeliveries('no-such-app')).toBeNull();
    expect(await redriveDeliveries('no-such-app', {}, TEST_ACTOR)).toBeNull();
  });
});
