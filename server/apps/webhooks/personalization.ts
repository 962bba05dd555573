import 'server-only';

import { SIGNAL_TYPES, type SignalKind, type SignalType } from '@/lib/personalization/catalogue';
import { appReader } from '@/server/apps/registry';
import { visibleFields, type Reader, type SharedField } from '@/server/consent/policy';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { readPreferencesAs } from '../api/preferences';
import type { ApiPreferences } from '../api/schemas';

// The personalization events as webhooks: each goes only to apps that may see
// its field now, with a payload built at delivery through the policy.
// docs/decisions/035-personalization.md §1, "Webhooks"

/** The field an app must see to hear of each event (dispatch.ts fans out on the declaration, delivery on the consent). */
export const PERSONALIZATION_EVENT_FIELDS = {
  'customer.preferences_updated': 'preferences',
  'customer.signal_recorded': 'signals',
  'customer.signals_deleted': 'signals',
} as const satisfies Record<string, SharedField>;
export type PersonalizationEventType = keyof typeof PERSONALIZATION_EVENT_FIELDS;

export const isPersonalizationEvent = (type: string): type is PersonalizationEventType =>
  Object.hasOwn(PERSONALIZATION_EVENT_FIELDS, type);

export type ApiSignal = {
  id: string;
  type: SignalType;
  category: string;
  item: string | null;
  occurredAt: string;
  /** The app that sent it, or "portal". */
  source: string;
};

export type PersonalizationWebhookBody =
  | {
      type: 'customer.preferences_updated';
      timestamp: string;
      data: { customerId: string; preferences: ApiPreferences };
    }
  | { type: 'customer.signal_recorded'; timestamp: string; data: { customerId: string; signal: ApiSignal } }
  | { type: 'customer.signals_deleted'; timestamp: string; data: { customerId: string; signalIds: string[] } };

const TYPE_OF_KIND = Object.fromEntries(Object.entries(SIGNAL_TYPES).map(([type, kind]) => [kind, type])) as Record<
  SignalKind,
  SignalType
>;

/**
 * One signal of the customer, if `reader` may see their signals now and the
 * signal still counts (within SIGNAL_RETENTION_DAYS, its app not withdrawn by
 * the customer); logged as a read of `signals` in the same statement.
 */
export async function readSignalAs(reader: Reader, customerId: string, signalId: string): Promise<ApiSignal | null> {
  if (!/^\d{1,18}$/.test(signalId)) return null;
  const a = reader.accessor;
  const { rows } = await getPool().query<Omit<ApiSignal, 'type'> & { kind: SignalKind }>({
    name: 'accord-read-signal-as',
    text: `WITH r AS (SELECT $1::uuid AS app_id, $2::jsonb AS field_purposes, $3::text AS accessor_type,
        $4::text AS accessor_id, $5::text AS accessor_name, $6::text AS reason),
      s AS MATERIALIZED (
        SELECT g.id::text AS id, g.kind, g.category, g.item,
          to_char(g.occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
          coalesce(src.name, 'portal') AS source, v.visible ->> 'signals' AS purpose
        FROM r, customer_signals g
        LEFT JOIN apps src ON src.id = g.app_id,
        LATERAL (SELECT accord_visible_fields(g.customer_id, r.app_id, r.field_purposes) AS visible) v
        WHERE g.id = $8::bigint AND g.customer_id = $7::uuid AND v.visible ? 'signals'
          AND g.occurred_at > (now() AT TIME ZONE 'UTC') - $9::int * interval '1 day'
          AND NOT EXISTS (
            SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = g.customer_id AND w.app_id = g.app_id
          )
      ),
      logged AS (
        SELECT accord_record_access(ARRAY[ROW($7::uuid, r.accessor_type, r.accessor_id, r.accessor_name,
          ARRAY['signals'], ARRAY[s.purpose], r.reason)::accord_data_access]) AS n
        FROM s, r
      )
      SELECT s.id, s.kind, s.category, s.item, s."occurredAt", s.source FROM s CROSS JOIN logged`,
    values: [
      reader.appId,
      JSON.stringify(reader.fieldPurposes),
      a.type,
      a.id,
      a.name,
      reader.reason ?? null,
      customerId,
      signalId,
      getEnv().SIGNAL_RETENTION_DAYS,
    ],
  });
  const row = rows[0];
  if (!row) return null;
  const { kind, ...signal } = row;
  return { ...signal, type: TYPE_OF_KIND[kind] };
}

type Delivery = {
  type: PersonalizationEventType;
  customerId: string | null;
  eventPayload: Record<string, unknown>;
  occurredAt: Date;
  withdrawn: boolean;
  app: Parameters<typeof appReader>[0];
};

/** The webhook for one app, or null (suppressed): it may not see the field now, or there is nothing left to send. */
export async function buildPersonalizationBody(delivery: Delivery): Promise<PersonalizationWebhookBody | null> {
  const { customerId, type } = delivery;
  if (!customerId || delivery.withdrawn) return null;
  const timestamp = delivery.occurredAt.toISOString();
  const reader = appReader(delivery.app, `webhook ${type}`);
  switch (type) {
    case 'customer.preferences_updated': {
      const preferences = await readPreferencesAs(reader, customerId);
      return preferences ? { type, timestamp, data: { customerId, preferences } } : null;
    }
    case 'customer.signal_recorded': {
      const id = delivery.eventPayload.signalId;
      const signal =
        typeof id === 'string' || typeof id === 'number' ? await readSignalAs(reader, customerId, String(id)) : null;
      return signal ? { type, timestamp, data: { customerId, signal } } : null;
    }
    case 'customer.signals_deleted': {
      // Ids only, no data read: the decision alone, nothing logged.
      if (!(await visibleFields(reader, customerId)).signals) return null;
      const ids = delivery.eventPayload.ids;
      return Array.isArray(ids) ? { type, timestamp, data: { customerId, signalIds: ids.map(String) } } : null;
    }
  }
}
