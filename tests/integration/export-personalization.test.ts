// Export v2 (preferences, their history, signals, the personalization
// accessor) and the erasure of a customer's personalization data.
// docs/decisions/035-personalization.md §1, "Export, deletion"; docs/export-schema.md
import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '@/server/apps/registry';
import { recordDataAccess } from '@/server/consent/access-log';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { deleteCustomer } from '@/server/customers/account';
import { buildExport, EXPORT_SCHEMA_VERSION } from '@/server/customers/export';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import { adminQuery, uniqueEmail } from './helpers';
import {
  readsAnswerPersonalization,
  readsDaysAgo,
  readsInsertPreferences,
  readsInsertSignal,
  readsPrepare,
} from './personalization-reads-helpers';

const DAY = 24 * 60 * 60 * 1000;

describe('export v2', () => {
  beforeAll(async () => {
    await ensureConsentPurposes();
    await readsPrepare();
  });

  it('holds the preferences with their source, their history, the signals and personalization reads', async () => {
    const { app } = await createApp(
      { name: `shop-${randomUUID().slice(0, 8)}`, purposes: 'service', fields: 'name' },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail() });
    await readsAnswerPersonalization(customer.id, true);
    const setAt = new Date('2026-11-02T10:20:30.456Z');
    await readsInsertPreferences(
      customer.id,
      [
        { name: 'interest', value: 'running', setAt },
        { name: 'favouriteStore', value: 'bordeaux-lac', channel: app.name, appId: app.id, setAt },
        { name: 'size.clothing', value: 'L', setAt },
        { name: 'channel', value: 'push', setAt },
      ],
      5,
    );
    const occurredAt = readsDaysAgo(2);
    await readsInsertSignal(customer.id, {
      kind: 'purchased',
      category: 'hiking',
      item: 'SKU-3',
      appId: app.id,
      occurredAt,
    });
    await recordDataAccess(prisma, [
      {
        customerId: customer.id,
        accessor: { type: 'personalization', id: 'portal', name: 'Accord' },
        fields: ['preferences', 'signals'],
        purpose: 'personalization',
        reason: 'home page',
      },
    ]);

    const data = JSON.parse(JSON.stringify(await buildExport(customer.id)));
    expect(EXPORT_SCHEMA_VERSION).toBe(2);
    expect(data.schemaVersion).toBe(2);
    const at = setAt.toISOString();
    expect(data.preferences).toEqual({
      version: 5,
      interests: [{ category: 'running', source: 'portal', setAt: at }],
      favouriteStore: { store: 'bordeaux-lac', source: app.name, setAt: at },
      sizes: { clothing: { size: 'L', source: 'portal', setAt: at }, shoes: null },
      channels: [{ channel: 'push', source: 'portal', setAt: at }],
    });
    expect(data.preferenceHistory).toHaveLength(4);
    expect(data.preferenceHistory).toContainEqual({
      version: 5,
      name: 'favouriteStore',
      oldValue: null,
      newValue: 'bordeaux-lac',
      channel: app.name,
      changedAt: expect.any(String),
    });
    expect(data.signals).toEqual([
      {
        type: 'order.purchased',
        category: 'hiking',
        item: 'SKU-3',
        occurredAt: occurredAt.toISOString(),
        source: app.name,
        countsUntil: new Date(occurredAt.getTime() + getEnv().SIGNAL_RETENTION_DAYS * DAY).toISOString(),
      },
    ]);
    expect(data.dataAccessLog).toEqual([
      {
        accessorType: 'personalization',
        accessor: 'Accord',
        fields: ['preferences', 'signals'],
        purpose: 'personalization',
        reason: 'home page',
        at: expect.any(String),
      },
    ]);
  });

  it('is empty, not missing, for a customer who never set preferences', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const data = JSON.parse(JSON.stringify(await buildExport(customer.id)));
    expect(data).toMatchObject({
      preferences: {
        version: 0,
        interests: [],
        favouriteStore: null,
        sizes: { clothing: null, shoes: null },
        channels: [],
      },
      preferenceHistory: [],
      signals: [],
    });
  });
});

describe('erasure of personalization data', () => {
  beforeAll(readsPrepare);

  it('every table that names a customer goes with them, or is one of the known exceptions', async () => {
    const { rows } = await adminQuery(
      `SELECT c.conrelid::regclass::text AS "table", c.confdeltype AS rule
       FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = 'public.customers'::regclass ORDER BY 1`,
    );
    // c: cascade. Kept under a pseudonym: consent receipts (set null) and the
    // audit log (restrict: a trigger pseudonymizes its rows first, ADR 033).
    const notCascading = rows.filter((r) => r.rule !== 'c').map((r) => `${r.table} ${r.rule}`);
    expect(notCascading).toEqual(['audit_log r', 'consent_receipts n']);
    expect(rows.map((r) => r.table)).toEqual(
      expect.arrayContaining([
        'customer_preferences',
        'preference_changes',
        'customer_signals',
        'personalization_states',
        'api_idempotency_keys',
      ]),
    );
  });

  it('erases preferences, their history, signals, state and idempotency keys; content stats stay', async () => {
    const { app } = await createApp(
      { name: `shop-${randomUUID().slice(0, 8)}`, purposes: 'service', fields: 'name' },
      TEST_ACTOR,
    );
    const customer = await createCustomer({ email: uniqueEmail() });
    await readsAnswerPersonalization(customer.id, true);
    await readsInsertPreferences(customer.id, [
      { name: 'interest', value: 'running' },
      { name: 'size.shoes', value: '40' },
    ]);
    await readsInsertSignal(customer.id, { kind: 'viewed', category: 'running', appId: app.id });
    await prisma.apiIdempotencyKey.create({
      data: {
        appId: app.id,
        key: randomUUID(),
        customerId: customer.id,
        fingerprint: 'a'.repeat(64),
        status: 201,
        expiresAt: new Date(Date.now() + DAY),
      },
    });
    // A day's figure of a block: no customer in it.
    const object = await prisma.contentObject.create({
      data: { id: randomUUID(), type: 'block', key: `b-${randomUUID().slice(0, 8)}`, slot: 'hero' },
    });
    const revision = await prisma.contentRevision.create({
      data: { id: randomUUID(), objectId: object.id, number: 1, body: {}, authorLabel: 'cli:test' },
    });
    const statKey = {
      day: new Date('2026-12-01'),
      revisionId: revision.id,
      slot: 'hero',
      channel: 'portal',
      group: 'personalized',
    };
    await prisma.contentStat.create({ data: { ...statKey, impressions: 3, clicks: 1 } });

    expect(await deleteCustomer(customer.id, { channel: 'portal' })).toEqual({ ok: true });

    const where = { customerId: customer.id };
    expect(
      await Promise.all([
        prisma.customerPreference.count({ where }),
        prisma.preferenceChange.count({ where }),
        prisma.customerSignal.count({ where }),
        prisma.personalizationState.count({ where }),
        prisma.apiIdempotencyKey.count({ where }),
      ]),
    ).toEqual([0, 0, 0, 0, 0]);
    expect(await prisma.contentStat.findMany({ where: { revisionId: revision.id } })).toEqual([
      expect.objectContaining({ impressions: 3n, clicks: 1n }),
    ]);
  });
});
