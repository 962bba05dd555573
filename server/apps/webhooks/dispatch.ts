import 'server-only';

import { getPool } from '@/server/platform/db';

import { PERSONALIZATION_EVENT_FIELDS } from './personalization';

// Fan-out: each outbox event becomes one delivery row per app that has a
// webhook. docs/decisions/018-webhook-delivery.md

export type DispatchResult = { events: number; deliveries: number };

/**
 * Claims up to `limit` undispatched outbox events in id order (SKIP LOCKED:
 * instances never wait for each other), inserts a pending delivery for every
 * enabled app with a webhook that existed when the event occurred, and marks
 * the events dispatched, in one statement and so one transaction. An app
 * created later does not get earlier events; a disabled app does not get the
 * events of the time it is disabled; an app gets a personalization event only
 * if it declared that event's field (PERSONALIZATION_EVENT_FIELDS).
 */
export async function dispatchOutbox(opts: { limit?: number } = {}): Promise<DispatchResult> {
  const { rows } = await getPool().query<DispatchResult>(
    `WITH events AS (
       SELECT id, type, occurred_at FROM outbox_events
       WHERE dispatched_at IS NULL
       ORDER BY id
       LIMIT $1
       FOR UPDATE SKIP LOCKED
     ), fanout AS (
       INSERT INTO webhook_deliveries (outbox_id, app_id, next_attempt_at, created_at)
       SELECT e.id, a.id, now(), now()
       FROM events e JOIN apps a ON a.created_at <= e.occurred_at
       WHERE a.disabled_at IS NULL AND a.webhook_url IS NOT NULL AND a.webhook_secret IS NOT NULL
         -- Signals are frequent: no delivery row for an app that never declared the event's field
         -- (the consent is checked at delivery, as for every event).
         AND (NOT e.type = ANY($2::text[]) OR a.field_purposes ? (($3::jsonb) ->> e.type))
       ON CONFLICT (outbox_id, app_id) DO NOTHING
       RETURNING 1
     ), marked AS (
       UPDATE outbox_events o SET dispatched_at = now() FROM events e WHERE o.id = e.id RETURNING 1
     )
     SELECT (SELECT count(*) FROM marked)::int AS events, (SELECT count(*) FROM fanout)::int AS deliveries`,
    [opts.limit ?? 200, Object.keys(PERSONALIZATION_EVENT_FIELDS), JSON.stringify(PERSONALIZATION_EVENT_FIELDS)],
  );
  return rows[0] ?? { events: 0, deliveries: 0 };
}
