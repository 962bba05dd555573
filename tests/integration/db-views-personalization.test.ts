// Personalization data in the consent-enforcing database views (migration
// 20261207180200_personalization_views), read as an app's own PostgreSQL role.
// docs/decisions/035-personalization.md §1, "Shared views"
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grantDatabaseRole } from '@/server/apps/db-roles';
import { createApp, type AppRecord } from '@/server/apps/registry';
import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { adminQuery, uniqueEmail } from './helpers';
import {
  readsAnswerPersonalization,
  readsDaysAgo,
  readsInsertPreferences,
  readsInsertSignal,
  readsPrepare,
} from './personalization-reads-helpers';

const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;
const roles = new Set<string>();
const clients: pg.Client[] = [];

async function connectAs(app: AppRecord): Promise<pg.Client> {
  const granted = await grantDatabaseRole(app.name, TEST_ACTOR);
  if (!granted) throw new Error(`no app ${app.name}`);
  roles.add(granted.role);
  const client = new pg.Client({ connectionString: granted.url });
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return client;
}

const logOf = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorId: true, fields: true, purpose: true, reason: true },
  });

const newApp = (tag: string, fields: string) =>
  createApp({ name: appName(tag), purposes: 'service,personalization', fields }, TEST_ACTOR).then((r) => r.app);

describe('personalization views', () => {
  beforeAll(async () => {
    await ensureConsentPurposes();
    await readsPrepare();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    for (const role of roles) {
      const r = pg.escapeIdentifier(role);
      await adminQuery(`DROP OWNED BY ${r}`);
      await adminQuery(`DROP ROLE ${r}`);
    }
  });

  it('shared.customer_preferences: one row per customer who allows it, logged as a read of preferences only', async () => {
    const app = await newApp('prefview', 'name,preferences:personalization');
    const granted = await createCustomer({ email: uniqueEmail(), firstName: 'Ana' });
    const refused = await createCustomer({ email: uniqueEmail(), firstName: 'Bea' });
    const setAt = new Date('2026-11-02T10:20:30.456Z');
    for (const c of [granted, refused]) {
      await readsInsertPreferences(
        c.id,
        [
          { name: 'interest', value: 'running', setAt },
          { name: 'interest', value: 'hiking', setAt },
          { name: 'favouriteStore', value: 'paris-rivoli', setAt },
          { name: 'size.clothing', value: 'M', setAt },
          { name: 'channel', value: 'sms', setAt },
        ],
        2,
      );
    }
    await readsAnswerPersonalization(granted.id, true);
    await readsAnswerPersonalization(refused.id, false);
    const db = await connectAs(app);

    const { rows } = await db.query('SELECT * FROM shared.customer_preferences WHERE customer_id = ANY($1)', [
      [granted.id, refused.id],
    ]);
    expect(rows).toEqual([
      {
        customer_id: granted.id,
        version: 2,
        interests: ['hiking', 'running'],
        favourite_store: 'paris-rivoli',
        size_clothing: 'M',
        size_shoes: null,
        channels: ['sms'],
        sources: expect.arrayContaining([
          { name: 'interest', value: 'running', source: 'portal', setAt: setAt.toISOString() },
        ]),
      },
    ]);
    expect(await logOf(granted.id)).toEqual([
      { accessorId: app.clientId, fields: ['preferences'], purpose: 'personalization', reason: 'database view' },
    ]);
    expect(await logOf(refused.id)).toEqual([]);

    // shared.customers lists the field but does not log it as read.
    const profile = await db.query('SELECT visible_fields FROM shared.customers WHERE id = $1', [granted.id]);
    expect(profile.rows).toEqual([{ visible_fields: ['name', 'preferences'] }]);
    expect((await logOf(granted.id)).at(-1)).toMatchObject({ fields: ['name'] });

    // Withdrawn: no row, nothing more in the log.
    await setAppAccess(granted.id, app.id, false);
    const before = (await logOf(granted.id)).length;
    expect(
      (await db.query('SELECT * FROM shared.customer_preferences WHERE customer_id = $1', [granted.id])).rows,
    ).toEqual([]);
    expect(await logOf(granted.id)).toHaveLength(before);
  });

  it('shared.customer_signals: one row per counted signal, each logged; a withdrawn app’s signals are absent', async () => {
    const reader = await newApp('sigview', 'signals:personalization');
    const shop = await newApp('shop', 'name');
    const other = await newApp('other', 'name');
    const customer = await createCustomer({ email: uniqueEmail() });
    await readsAnswerPersonalization(customer.id, true);
    const fromShop = await readsInsertSignal(customer.id, {
      kind: 'cart-added',
      category: 'running',
      item: 'SKU-1',
      appId: shop.id,
      occurredAt: readsDaysAgo(1),
    });
    const fromPortal = await readsInsertSignal(customer.id, { kind: 'viewed', category: 'yoga' });
    await readsInsertSignal(customer.id, { kind: 'purchased', category: 'hiking', appId: other.id });
    // The customer withdrew "other": its signals count for nobody.
    await setAppAccess(customer.id, other.id, false);
    const db = await connectAs(reader);

    const { rows } = await db.query(
      'SELECT id, type, category, item, source, occurred_at FROM shared.customer_signals WHERE customer_id = $1 ORDER BY id',
      [customer.id],
    );
    expect(rows).toEqual([
      {
        id: fromShop,
        type: 'cart.item_added',
        category: 'running',
        item: 'SKU-1',
        source: shop.name,
        occurred_at: expect.any(Date),
      },
      {
        id: fromPortal,
        type: 'category.viewed',
        category: 'yoga',
        item: null,
        source: 'portal',
        occurred_at: expect.any(Date),
      },
    ]);
    expect(await logOf(customer.id)).toEqual([
      { accessorId: reader.clientId, fields: ['signals'], purpose: 'personalization', reason: 'database view' },
      { accessorId: reader.clientId, fields: ['signals'], purpose: 'personalization', reason: 'database view' },
    ]);
  });

  it('gives nothing to an app that did not declare the field, or for a customer who did not grant it', async () => {
    const profileOnly = await newApp('profileonly', 'name');
    const reader = await newApp('sigview2', 'preferences:personalization,signals:personalization');
    const customer = await createCustomer({ email: uniqueEmail() });
    await readsInsertPreferences(customer.id, [{ name: 'interest', value: 'running' }]);
    await readsAnswerPersonalization(customer.id, true);
    await readsInsertSignal(customer.id, { kind: 'viewed', category: 'running' });
    const notGranted = await createCustomer({ email: uniqueEmail() });
    await readsInsertPreferences(notGranted.id, [{ name: 'interest', value: 'running' }]);
    await readsInsertSignal(notGranted.id, { kind: 'viewed', category: 'running' });

    const a = await connectAs(profileOnly);
    expect(
      (await a.query('SELECT * FROM shared.customer_preferences WHERE customer_id = $1', [customer.id])).rows,
    ).toEqual([]);
    expect((await a.query('SELECT * FROM shared.customer_signals WHERE customer_id = $1', [customer.id])).rows).toEqual(
      [],
    );
    const b = await connectAs(reader);
    for (const view of ['shared.customer_preferences', 'shared.customer_signals']) {
      expect((await b.query(`SELECT * FROM ${view} WHERE customer_id = $1`, [notGranted.id])).rows).toEqual([]);
    }
    expect(await logOf(customer.id)).toEqual([]);
    expect(await logOf(notGranted.id)).toEqual([]);
  });

  it('shows categories and stores to every app role, unlogged', async () => {
    const app = await newApp('refdata', 'name');
    const db = await connectAs(app);
    const categories = await db.query(
      "SELECT key, parent_key, label_en, label_fr FROM shared.categories WHERE key = 'trail'",
    );
    expect(categories.rows).toEqual([
      { key: 'trail', parent_key: 'running', label_en: 'Trail running', label_fr: 'Trail' },
    ]);
    const stores = await db.query("SELECT key, name, city, country FROM shared.stores WHERE key = 'lyon-part-dieu'");
    expect(stores.rows).toEqual([{ key: 'lyon-part-dieu', name: 'Lyon Part-Dieu', city: 'Lyon', country: 'FR' }]);
  });
});
