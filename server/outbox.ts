import 'server-only';
import type { Tx } from './db';

/** Domain events other apps learn about; the webhook issue delivers them. */
export type DomainEventType =
  | 'customer.created'
  | 'customer.updated'
  | 'customer.email_changed'
  | 'consent.updated'
  | 'customer.deleted';

/**
 * Writes an event in the caller's transaction (a transactional outbox): the
 * event exists if and only if the change it describes was committed.
 */
export async function writeEvent(
  tx: Tx,
  type: DomainEventType,
  customerId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.outboxEvent.create({ data: { type, customerId, payload: { customerId, ...payload } } });
}
