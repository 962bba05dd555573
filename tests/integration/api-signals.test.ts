import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';
import { consume } from '@/server/platform/rate-limit';
import { createCustomer } from '@/tests/factories';

import { problemOf, registerApp, tokenFor } from './api-helpers';
import { uniqueEmail } from './helpers';
import { answerPersonalization, postSignal, signalTrace } from './personalization-writes-helpers';

const SIGNAL = { type: 'cart.item_added', category: 'running', item: 'SKU-123' };
const NOTHING = { signals: 0, events: 0, version: 0 };
const key = () => `"${randomUUID()}"`;

let app: Awaited<ReturnType<typeof registerApp>>['app'];
let token: string;

beforeAll(async () => {
  await ensureConsentPurposes();
  await applyPersonalizationReferenceData();
  ({ app } = await registerApp({
    tag: 'signals',
    purposes: 'service,personalization',
    fields: 'name:service,signals:personalization',
    scopes: ['customers:read', 'signals:write'],
  }));
  token = await tokenFor(app);
});

async function grantedCustomer() {
  const { id } = await createCustomer({ email: uniqueEmail('api-signals') });
  await answerPersonalization(id, true);
  return id;
}

describe('POST /api/v1/customers/{id}/signals', () => {
  it('records the signal as the app’s: 201 with the signal and its Location, one event', async () => {
    const id = await grantedCustomer();
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const res = await postSignal(token, id, { ...SIGNAL, occurredAt }, { idempotencyKey: key() });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string };
    expect(body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      customerId: id,
      type: 'cart.item_added',
      category: 'running',
      item: 'SKU-123',
      occurredAt,
    });
    expect(res.headers.get('location')).toBe(`http://localhost:3000/api/v1/customers/${id}/signals/${body.id}`);
    const row = await prisma.customerSignal.findUniqueOrThrow({ where: { id: BigInt(body.id) } });
    expect(row).toMatchObject({
      customerId: id,
      appId: app.id,
      kind: 'cart-added',
      category: 'running',
      item: 'SKU-123',
    });
    expect(row.occurredAt.toISOString()).toBe(occurredAt);
    expect(await signalTrace(id)).toEqual({ signals: 1, events: 1, version: 1 });
  });

  it('replays a retry with the same Idempotency-Key, concurrent twins included: one signal', async () => {
    const id = await grantedCustomer();
    const k = key();
    const first = await postSignal(token, id, SIGNAL, { idempotencyKey: k });
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const retry = await postSignal(token, id, SIGNAL, { idempotencyKey: k });
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(firstBody);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(await signalTrace(id)).toEqual({ signals: 1, events: 1, version: 1 });

    const twin = key();
    const twins = await Promise.all([0, 1, 2].map(() => postSignal(token, id, SIGNAL, { idempotencyKey: twin })));
    expect(twins.map((r) => r.status)).toEqual([201, 201, 201]);
    const ids = await Promise.all(twins.map(async (r) => ((await r.json()) as { id: string }).id));
    expect(new Set(ids).size).toBe(1);
    expect(await signalTrace(id)).toEqual({ signals: 2, events: 2, version: 2 });
  });

  it('refuses a key reused with another body (422) and a missing key (400), writing nothing', async () => {
    const id = await grantedCustomer();
    const k = key();
    expect((await postSignal(token, id, SIGNAL, { idempotencyKey: k })).status).toBe(201);
    const before = await signalTrace(id);
    const reused = await postSignal(token, id, { ...SIGNAL, category: 'yoga' }, { idempotencyKey: k });
    expect(reused.status).toBe(422);
    expect((await problemOf(reused)).type).toMatch(/#problem-idempotency-key-reused$/);
    // The same key on another customer is another request too.
    const other = await grantedCustomer();
    const elsewhere = await postSignal(token, other, SIGNAL, { idempotencyKey: k });
    expect(elsewhere.status).toBe(422);
    expect(await signalTrace(other)).toEqual(NOTHING);

    const missing = await postSignal(token, id, SIGNAL);
    expect(missing.status).toBe(400);
    expect((await problemOf(missing)).type).toMatch(/#problem-idempotency-key-missing$/);
    const malformed = await postSignal(token, id, SIGNAL, { idempotencyKey: 'x'.repeat(256) });
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).errors).toEqual([expect.objectContaining({ parameter: 'Idempotency-Key' })]);
    expect(await signalTrace(id)).toEqual(before);
  });

  it('refuses bad input: unknown category, type or member, times out of bounds (422), bad JSON (400), over 4 KiB (413)', async () => {
    const id = await grantedCustomer();
    const refused: Array<[unknown, string, string]> = [
      [{ ...SIGNAL, category: 'curling' }, '/category', 'category.unknown'],
      [{ ...SIGNAL, type: 'page.viewed' }, '/type', 'invalid_value'],
      [{ ...SIGNAL, occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() }, '/occurredAt', 'occurredAt.future'],
      [
        { ...SIGNAL, occurredAt: new Date(Date.now() - 91 * 86_400_000).toISOString() },
        '/occurredAt',
        'occurredAt.tooOld',
      ],
      [{ ...SIGNAL, occurredAt: 'yesterday' }, '/occurredAt', 'invalid_format'],
      [{ ...SIGNAL, item: 'x'.repeat(65) }, '/item', 'too_big'],
      [{ ...SIGNAL, customerId: id }, '/customerId', 'unknownField'],
    ];
    for (const [body, pointer, code] of refused) {
      const res = await postSignal(token, id, body, { idempotencyKey: key() });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await problemOf(res)).errors, JSON.stringify(body)).toEqual([
        { pointer, code, detail: expect.any(String) },
      ]);
    }
    const badJson = await postSignal(token, id, null, { idempotencyKey: key(), raw: '{"type":' });
    expect(badJson.status).toBe(400);
    expect((await problemOf(badJson)).type).toMatch(/#problem-malformed-request$/);
    const big = await postSignal(token, id, null, {
      idempotencyKey: key(),
      raw: JSON.stringify({ ...SIGNAL, item: 'x'.repeat(4 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect((await postSignal(token, id, SIGNAL, { idempotencyKey: key(), contentType: 'text/plain' })).status).toBe(
      415,
    );
    expect(await signalTrace(id)).toEqual(NOTHING);
  });

  it('is 404 for an unknown customer or one the app sees nothing of, 403 while signals are not visible to it', async () => {
    expect((await postSignal(token, randomUUID(), SIGNAL, { idempotencyKey: key() })).status).toBe(404);
    expect((await postSignal(token, 'nope', SIGNAL, { idempotencyKey: key() })).status).toBe(404);

    // The name is visible (service), signals are not: personalization never granted, then withdrawn.
    const { id } = await createCustomer({ email: uniqueEmail('api-signals') });
    const refused = await postSignal(token, id, SIGNAL, { idempotencyKey: key() });
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/#problem-field-not-writable$/);
    await answerPersonalization(id, true);
    await answerPersonalization(id, false);
    expect((await postSignal(token, id, SIGNAL, { idempotencyKey: key() })).status).toBe(403);
    expect((await signalTrace(id)).signals).toBe(0);

    // An app that declared signals for a purpose of its own still writes only under the personalization grant.
    const { app: service } = await registerApp({
      tag: 'signals-service',
      purposes: 'service',
      fields: 'name,signals',
      scopes: ['signals:write'],
    });
    const serviceRefused = await postSignal(await tokenFor(service), id, SIGNAL, { idempotencyKey: key() });
    expect(serviceRefused.status).toBe(403);
    expect((await signalTrace(id)).signals).toBe(0);

    const withdrawn = await grantedCustomer();
    await setAppAccess(withdrawn, app.id, false);
    expect((await postSignal(token, withdrawn, SIGNAL, { idempotencyKey: key() })).status).toBe(404);
    expect(await signalTrace(withdrawn)).toEqual(NOTHING);
  });

  it('needs the signals:write scope', async () => {
    const id = await grantedCustomer();
    const res = await postSignal(await tokenFor(app, ['customers:read']), id, SIGNAL, { idempotencyKey: key() });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).type).toMatch(/#problem-insufficient-scope$/);
  });

  it('limits the signals of one customer per app (429 with Retry-After), not the other customers’', async () => {
    const id = await grantedCustomer();
    for (let i = 0; i < 60; i++) await consume([['signalsPerCustomer', `${app.id}:${id}`]]);
    const res = await postSignal(token, id, SIGNAL, { idempotencyKey: key() });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problemOf(res)).type).toMatch(/#problem-rate-limited$/);
    expect(await signalTrace(id)).toEqual(NOTHING);
    expect((await postSignal(token, await grantedCustomer(), SIGNAL, { idempotencyKey: key() })).status).toBe(201);
  });
});
