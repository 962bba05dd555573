// The personalization events as webhooks: only to apps that may see the
// event's field, payload built at delivery through the policy (logged), and
// suppressed when there is nothing the app may learn.
// docs/decisions/035-personalization.md §1, "Webhooks"
import { randomUUID } from 'node:crypto';

import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createApp, setAppDisabled } from '@/server/apps/registry';
import { deliverDue, deliverySettings, dispatchOutbox } from '@/server/apps/webhooks';
import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { writeEvent, type DomainEventType } from '@/server/platform/outbox';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import {
  readsAnswerPersonalization,
  readsDaysAgo,
  readsInsertPreferences,
  readsInsertSignal,
  readsPrepare,
} from './personalization-reads-helpers';
import { startReceiver, type Receiver } from './webhook-receiver';

const settings = () =>
  deliverySettings({ timeoutMs: 2_000, maxAttempts: 3, leaseMarginMs: 1_000, backoff: { baseMs: 5 } });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

async function webhookApp(url: string, fields: string) {
  const created = await createApp(
    { name: `phooks-${randomUUID().slice(0, 8)}`, purposes: 'service,personalization', fields, webhook: url },
    TEST_ACTOR,
  );
  cleanups.push(() => setAppDisabled(created.app.name, true, TEST_ACTOR));
  return created;
}

async function deliverAll() {
  await dispatchOutbox();
  for (let i = 0; i < 10; i++) if ((await deliverDue({ settings: settings() })).length === 0) return;
}

const emit = (customerId: string, type: DomainEventType, payload: Record<string, unknown>) =>
  prisma.$transaction((tx) => writeEvent(tx, type, customerId, payload));

const deliveryStates = async (appId: string, customerId: string) =>
  (
    await prisma.webhookDelivery.findMany({
      where: { appId, event: { customerId } },
      orderBy: { id: 'asc' },
      select: { status: true, event: { select: { type: true } } },
    })
  ).map((d) => `${d.event.type} ${d.status}`);

/** The reads of this app's personalization webhooks (a consent change's webhook reads the profile). */
const accessLog = (customerId: string, clientId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId, accessorId: clientId, NOT: { reason: 'webhook consent.updated' } },
    orderBy: { id: 'asc' },
    select: { fields: true, purpose: true, reason: true },
  });

describe('personalization webhooks', () => {
  beforeAll(async () => {
    await ensureConsentPurposes();
    await readsPrepare();
  });

  it('sends each event only to the apps that see its field, with the payload read (and logged) at delivery', async () => {
    const r = await receiver();
    const prefs = await webhookApp(`${r.url}/prefs`, 'name,preferences:personalization');
    const sigs = await webhookApp(`${r.url}/sigs`, 'signals:personalization');
    const profile = await webhookApp(`${r.url}/profile`, 'name');
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana' });
    await readsAnswerPersonalization(customer.id, true);
    await deliverAll();
    r.received.length = 0;

    const setAt = new Date('2026-11-02T10:20:30.456Z');
    await readsInsertPreferences(customer.id, [{ name: 'interest', value: 'running', setAt }], 4);
    await emit(customer.id, 'customer.preferences_updated', { names: ['interest'] });
    const occurredAt = readsDaysAgo(1);
    const signalId = await readsInsertSignal(customer.id, {
      kind: 'cart-added',
      category: 'running',
      item: 'SKU-9',
      appId: prefs.app.id,
      occurredAt,
    });
    await emit(customer.id, 'customer.signal_recorded', { signalId });
    await emit(customer.id, 'customer.signals_deleted', { ids: ['7', '8'] });
    await deliverAll();

    // Sent in parallel: in type order here.
    const byPath = (path: string) =>
      r.received
        .filter((h) => h.url === `/webhooks${path}`)
        .map((h) => h.json)
        .sort((a, b) => (a.type < b.type ? -1 : 1));
    expect(byPath('/prefs')).toEqual([
      {
        type: 'customer.preferences_updated',
        timestamp: expect.any(String),
        data: {
          customerId: customer.id,
          preferences: {
            customerId: customer.id,
            version: 4,
            interests: [{ category: 'running', source: 'portal', setAt: setAt.toISOString() }],
            favouriteStore: null,
            sizes: { clothing: null, shoes: null },
            channels: [],
          },
        },
      },
    ]);
    expect(byPath('/sigs')).toEqual([
      {
        type: 'customer.signal_recorded',
        timestamp: expect.any(String),
        data: {
          customerId: customer.id,
          signal: {
            id: signalId,
            type: 'cart.item_added',
            category: 'running',
            item: 'SKU-9',
            occurredAt: occurredAt.toISOString(),
            source: prefs.app.name,
          },
        },
      },
      {
        type: 'customer.signals_deleted',
        timestamp: expect.any(String),
        data: { customerId: customer.id, signalIds: ['7', '8'] },
      },
    ]);
    expect(byPath('/profile')).toEqual([]);
    // Signed as every webhook.
    const hook = r.received.find((h) => h.url === '/webhooks/sigs')!;
    expect(() =>
      new Webhook(sigs.webhookSecret!).verify(hook.body, hook.headers as Record<string, string>),
    ).not.toThrow();

    // The fan-out made no delivery for an app that never declared the field.
    expect(await deliveryStates(profile.app.id, customer.id)).toEqual(['consent.updated delivered']);
    expect(await deliveryStates(prefs.app.id, customer.id)).toEqual([
      'consent.updated delivered',
      'customer.preferences_updated delivered',
    ]);
    expect(await deliveryStates(sigs.app.id, customer.id)).toEqual([
      'consent.updated delivered',
      'customer.signal_recorded delivered',
      'customer.signals_deleted delivered',
    ]);
    expect(await accessLog(customer.id, prefs.app.clientId)).toEqual([
      { fields: ['preferences'], purpose: 'personalization', reason: 'webhook customer.preferences_updated' },
    ]);
    expect(await accessLog(customer.id, sigs.app.clientId)).toEqual([
      { fields: ['signals'], purpose: 'personalization', reason: 'webhook customer.signal_recorded' },
    ]);
  });

  it('suppresses a signal gone, out of retention or of a withdrawn app, and everything without the grant; nothing logged', async () => {
    const r = await receiver();
    const sigs = await webhookApp(`${r.url}/sigs`, 'preferences:personalization,signals:personalization');
    const shop = await webhookApp(`${r.url}/shop`, 'name');
    const customer = await createCustomer({ email: uniqueEmail() });
    await readsAnswerPersonalization(customer.id, true);
    await deliverAll();
    r.received.length = 0;

    const gone = await readsInsertSignal(customer.id, { kind: 'viewed', category: 'yoga' });
    await prisma.customerSignal.delete({ where: { id: BigInt(gone) } });
    const old = await readsInsertSignal(customer.id, {
      kind: 'viewed',
      category: 'yoga',
      occurredAt: readsDaysAgo(91),
    });
    const withdrawnApps = await readsInsertSignal(customer.id, {
      kind: 'viewed',
      category: 'yoga',
      appId: shop.app.id,
    });
    await setAppAccess(customer.id, shop.app.id, false);
    for (const signalId of [gone, old, withdrawnApps])
      await emit(customer.id, 'customer.signal_recorded', { signalId });
    await deliverAll();
    // Only the news of the withdrawal of "shop" (a consent change) reached it.
    expect(r.received.filter((h) => h.url === '/webhooks/sigs').map((h) => h.json.type)).toEqual(['consent.updated']);

    // Without the grant: no preferences, no signals.
    await readsAnswerPersonalization(customer.id, false);
    const fresh = await readsInsertSignal(customer.id, { kind: 'viewed', category: 'yoga' });
    await emit(customer.id, 'customer.preferences_updated', { names: ['interest'] });
    await emit(customer.id, 'customer.signal_recorded', { signalId: fresh });
    await emit(customer.id, 'customer.signals_deleted', { ids: [fresh] });
    await deliverAll();
    expect((await deliveryStates(sigs.app.id, customer.id)).filter((s) => !s.startsWith('consent.'))).toEqual([
      'customer.signal_recorded suppressed',
      'customer.signal_recorded suppressed',
      'customer.signal_recorded suppressed',
      'customer.preferences_updated suppressed',
      'customer.signal_recorded suppressed',
      'customer.signals_deleted suppressed',
    ]);
    expect(await accessLog(customer.id, sigs.app.clientId)).toEqual([]);
  });
});
