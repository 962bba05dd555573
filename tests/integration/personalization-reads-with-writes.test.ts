// The reads of personalization data against the real write paths: what the
// API's PUT, the portal's write, a signal and its deletion leave is what GET,
// the webhooks and the export show. docs/decisions/035-personalization.md §1
import { randomUUID } from 'node:crypto';

import { afterEach, beforeAll, expect, it } from 'vitest';

import { createApp, setAppDisabled } from '@/server/apps/registry';
import { deliverDue, deliverySettings, dispatchOutbox } from '@/server/apps/webhooks';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { buildExport } from '@/server/customers/export';
import { writePreferences } from '@/server/personalization/preferences';
import { deleteSignals, recordSignal } from '@/server/personalization/signals';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { getPreferences, tokenFor } from './api-helpers';
import { uniqueEmail } from './helpers';
import { readsAnswerPersonalization, readsPrepare } from './personalization-reads-helpers';
import { putPreferences } from './personalization-writes-helpers';
import { startReceiver } from './webhook-receiver';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

beforeAll(async () => {
  await ensureConsentPurposes();
  await readsPrepare();
});

it('real writes reach the reads: API GET after PUT, webhooks, export', async () => {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  const { app } = await createApp(
    {
      name: `rw-${randomUUID().slice(0, 8)}`,
      purposes: 'service,personalization',
      fields: 'name,preferences:personalization,signals:personalization',
      scopes: ['customers:read', 'preferences:write', 'signals:write'],
      webhook: r.url,
    },
    TEST_ACTOR,
  );
  cleanups.push(() => setAppDisabled(app.name, true, TEST_ACTOR));
  const customer = await createCustomer({ email: uniqueEmail() });
  await readsAnswerPersonalization(customer.id, true);
  const token = await tokenFor(app);

  const put = await putPreferences(
    token,
    customer.id,
    {
      interests: ['running'],
      favouriteStore: 'paris-rivoli',
      sizes: { clothing: 'M', shoes: null },
      channels: ['email'],
    },
    { ifMatch: '"0"' },
  );
  expect(put.status).toBe(204);
  const get = await getPreferences(token, customer.id);
  expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
  expect(await get.json()).toMatchObject({ interests: [{ category: 'running', source: app.name }] });

  expect(
    await writePreferences(
      customer.id,
      { interests: ['running', 'yoga'], favouriteStore: null, sizes: { clothing: null, shoes: null }, channels: [] },
      { channel: 'portal', appId: null, expectedVersion: null },
    ),
  ).toMatchObject({ ok: true });
  const signal = await recordSignal(customer.id, { kind: 'viewed', category: 'yoga' }, { app: null });
  expect(signal).toMatchObject({ ok: true });
  const id = (signal as { id: string }).id;
  await dispatchOutbox();
  for (let i = 0; i < 10; i++)
    if ((await deliverDue({ settings: deliverySettings({ timeoutMs: 2000, leaseMarginMs: 1000 }) })).length === 0)
      break;
  const types = r.received.map((h) => h.json.type).sort();
  expect(types).toEqual([
    'consent.updated',
    'customer.preferences_updated',
    'customer.preferences_updated',
    'customer.signal_recorded',
  ]);
  expect(r.received.find((h) => h.json.type === 'customer.signal_recorded')!.json.data).toMatchObject({
    signal: { id, type: 'category.viewed', category: 'yoga', source: 'portal' },
  });
  expect(await deleteSignals(customer.id, 'all')).toBe(1);
  await dispatchOutbox();
  for (let i = 0; i < 10; i++)
    if ((await deliverDue({ settings: deliverySettings({ timeoutMs: 2000, leaseMarginMs: 1000 }) })).length === 0)
      break;
  expect(r.received.find((h) => h.json.type === 'customer.signals_deleted')!.json.data).toEqual({
    customerId: customer.id,
    signalIds: [id],
  });

  const data = JSON.parse(JSON.stringify(await buildExport(customer.id)));
  expect(data.preferences.interests.map((i: { category: string }) => i.category)).toEqual(['running', 'yoga']);
  expect(data.preferenceHistory.length).toBeGreaterThan(3);
  expect(data.signals).toEqual([]);
});
