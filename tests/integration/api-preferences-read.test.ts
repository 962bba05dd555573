// GET /api/v1/customers/{id}/preferences and the profile read beside it:
// decided by the one policy, read and logged in one statement.
// docs/decisions/035-personalization.md §1
import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { PreferencesSchema } from '@/server/apps/api/schemas';
import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { getCustomer, getPreferences, registerApp, tokenFor } from './api-helpers';
import { uniqueEmail } from './helpers';
import { readsAnswerPersonalization, readsInsertPreferences, readsPrepare } from './personalization-reads-helpers';

const accessLog = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorType: true, accessorId: true, fields: true, purpose: true },
  });

const setAt = new Date('2026-11-02T10:20:30.456Z');

async function setUp() {
  const { app } = await registerApp({
    tag: 'prefs',
    purposes: 'service,personalization',
    fields: 'name,preferences:personalization',
    scopes: ['customers:read'],
  });
  const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana' });
  await readsInsertPreferences(
    customer.id,
    [
      { name: 'interest', value: 'running', setAt },
      { name: 'interest', value: 'yoga', channel: app.name, appId: app.id, setAt },
      { name: 'favouriteStore', value: 'lyon-part-dieu', setAt },
      { name: 'size.shoes', value: '42', setAt },
      { name: 'channel', value: 'email', setAt },
    ],
    3,
  );
  return { app, customer, token: await tokenFor(app) };
}

describe('GET /api/v1/customers/{id}/preferences', () => {
  beforeAll(async () => {
    await ensureConsentPurposes();
    await readsPrepare();
  });

  it('returns the values with their source, the version as ETag, and logs the field preferences only', async () => {
    const { app, customer, token } = await setUp();
    await readsAnswerPersonalization(customer.id, true);

    const res = await getPreferences(token, customer.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = PreferencesSchema.parse(await res.json());
    const at = setAt.toISOString();
    expect(body).toEqual({
      customerId: customer.id,
      version: 3,
      interests: [
        { category: 'running', source: 'portal', setAt: at },
        { category: 'yoga', source: app.name, setAt: at },
      ],
      favouriteStore: { store: 'lyon-part-dieu', source: 'portal', setAt: at },
      sizes: { clothing: null, shoes: { size: '42', source: 'portal', setAt: at } },
      channels: [{ channel: 'email', source: 'portal', setAt: at }],
    });
    expect(await accessLog(customer.id)).toEqual([
      { accessorType: 'app', accessorId: app.clientId, fields: ['preferences'], purpose: 'personalization' },
    ]);
  });

  it('answers version 0 and empty values for a customer who set none', async () => {
    const { app } = await setUp();
    const other = await createCustomer({ email: uniqueEmail() });
    await readsAnswerPersonalization(other.id, true);
    const res = await getPreferences(await tokenFor(app), other.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(await res.json()).toEqual({
      customerId: other.id,
      version: 0,
      interests: [],
      favouriteStore: null,
      sizes: { clothing: null, shoes: null },
      channels: [],
    });
  });

  it('is 404, nothing logged, without the grant, after a withdrawal of the app, and for an unknown id', async () => {
    const { app, customer, token } = await setUp();
    // Not granted: name is visible (terms of service), preferences are not.
    expect((await getPreferences(token, customer.id)).status).toBe(404);
    expect(await accessLog(customer.id)).toEqual([]);

    await readsAnswerPersonalization(customer.id, true);
    await setAppAccess(customer.id, app.id, false);
    expect((await getPreferences(token, customer.id)).status).toBe(404);
    expect((await getPreferences(token, randomUUID())).status).toBe(404);
    expect((await getPreferences(token, 'not-an-id')).status).toBe(404);
    expect(await accessLog(customer.id)).toEqual([]);
  });

  it('needs a token', async () => {
    const { customer } = await setUp();
    expect((await getPreferences(null, customer.id)).status).toBe(401);
  });
});

describe('a profile read by an app that may also see preferences', () => {
  beforeAll(async () => {
    await ensureConsentPurposes();
    await readsPrepare();
  });

  it('lists preferences in access but logs only the profile fields it read', async () => {
    const { app, customer, token } = await setUp();
    await readsAnswerPersonalization(customer.id, true);
    const res = await getCustomer(token, customer.id);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access: Record<string, string> };
    expect(Object.keys(body.access).sort()).toEqual(['name', 'preferences']);
    expect(await accessLog(customer.id)).toEqual([
      { accessorType: 'app', accessorId: app.clientId, fields: ['name'], purpose: body.access.name },
    ]);
  });

  it('logs nothing when preferences are all it may see', async () => {
    const { app } = await registerApp({
      tag: 'prefs-only',
      purposes: 'personalization',
      fields: 'preferences:personalization',
      scopes: ['customers:read'],
    });
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana' });
    await readsAnswerPersonalization(customer.id, true);
    const res = await getCustomer(await tokenFor(app), customer.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: customer.id, access: { preferences: 'personalization' } });
    expect(await accessLog(customer.id)).toEqual([]);
  });
});
