import 'server-only';

import type { Tx } from './db';

/** Domain events other apps learn about: server/apps/webhooks/ delivers them (docs/decisions/018-webhook-delivery.md). */
export type DomainEventType =
  | 'customer.created'
  | 'customer.updated'
  | 'customer.email_changed'
  | 'consent.updated'
  | 'customer.deleted'
  // docs/decisions/035-personalization.md: {names}, {signalId}, {ids}
  | 'customer.preferences_updated'
  | 'customer.signal_recorded'
  | 'customer.signals_deleted';

/**
 * The channel the outbox notifies at each commit that wrote events, so the
 * webhook workers (server/apps/webhooks/worker.ts) wake at once instead of at
 * their next poll. Notifications are only a hint: the outbox table is the truth.
 */
export const OUTBOX_CHANNEL = 'accord_outbox';

/**
 * Writes an event in the caller's transaction (a transactional outbox): the
 * event exists if and only if the change it describes was committed. The
 * NOTIFY is delivered at that commit and never if it rolls back; PostgreSQL
 * folds identical ones of a transaction into one.
 */
export async function writeEvent(
  tx: Tx,
  type: DomainEventType,
  customerId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.outboxEvent.create({ data: { type, customerId, payload: { customerId, ...payload } } });
  await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
}
