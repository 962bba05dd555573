import 'server-only';

import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { OUTBOX_CHANNEL } from '@/server/platform/outbox';

import { findApp } from './registry';

// Change events as Standard Webhooks: the operations side (`npm run apps --
// deliveries | redrive`), and the worker's entry points.
// docs/decisions/018-webhook-delivery.md

export { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './webhooks/worker';
export { dispatchOutbox } from './webhooks/dispatch';
export {
  backoffDelay,
  buildWebhookBody,
  deliverDue,
  deliverySettings,
  planWebhook,
  type DeliveryOutcome,
  type WebhookBody,
  type WebhookPlan,
} from './webhooks/delivery';

/** 'suppressed': decided at delivery time that the app may learn nothing of the event; never sent (server/apps/webhooks/delivery.ts planWebhook). */
export type DeliveryStatus = 'pending' | 'delivered' | 'suppressed' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'suppressed', 'dead'];

export type DeliveryRecord = {
  id: string;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

/** An app's deliveries, newest first; null for an unknown app. */
export async function listDeliveries(
  appNameOrClientId: string,
  opts: { status?: DeliveryStatus; limit?: number } = {},
): Promise<DeliveryRecord[] | null> {
  const app = await findApp(appNameOrClientId);
  if (!app) return null;
  const take = Math.min(1_000, Math.max(1, Math.trunc(opts.limit ?? 50) || 50));
  const rows = await prisma.webhookDelivery.findMany({
    where: { appId: app.id, ...(opts.status ? { status: opts.status } : {}) },
    orderBy: { id: 'desc' },
    take,
    select: {
      id: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      lastStatus: true,
      lastError: true,
      deliveredAt: true,
      createdAt: true,
      event: { select: { eventId: true, type: true } },
    },
  });
  return rows.map(({ id, event, ...row }) => ({ id: id.toString(), eventId: event.eventId, type: event.type, ...row }));
}

export type WebhookHealth = { lastDeliveredAt: Date | null; dead: number; retrying: number };

/** Per app id: its last delivery, and the deliveries that failed for good or are being retried. */
export async function getWebhookHealth(): Promise<Map<string, WebhookHealth>> {
  const rows = await prisma.$queryRaw<Array<WebhookHealth & { appId: string }>>`
    SELECT app_id::text AS "appId", max(delivered_at) AS "lastDeliveredAt",
      (count(*) FILTER (WHERE status = 'dead'))::int AS dead,
      (count(*) FILTER (WHERE status = 'pending' AND attempts > 0))::int AS retrying
    FROM webhook_deliveries GROUP BY app_id`;
  return new Map(rows.map(({ appId, ...health }) => [appId, health]));
}

/**
 * Sends again, due now with the tries counted from zero: the app's dead
 * deliveries, or the given ones whatever their state (a delivered one is sent
 * again). A delivery being sent right now is left alone. Ids may be written
 * as the deliveries list prints them (#12). Returns how many were queued;
 * null for an unknown app.
 */
export async function redriveDeliveries(
  appNameOrClientId: string,
  opts: { ids?: string[] },
  actor: AuditActor,
): Promise<number | null> {
  const app = await findApp(appNameOrClientId);
  if (!app) return null;
  const ids = opts.ids?.map((id) => id.trim().replace(/^#/, '')).filter((id) => /^\d{1,18}$/.test(id));
  if (opts.ids && ids?.length === 0) return 0;
  return prisma.$transaction(async (tx) => {
    const count = await tx.$executeRaw`
      UPDATE webhook_deliveries
      SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, delivered_at = NULL
      WHERE app_id = ${app.id}::uuid
        AND (${ids ?? null}::bigint[] IS NULL AND status = 'dead' OR id = ANY(${ids ?? null}::bigint[]))
        AND NOT (status = 'pending' AND locked_until > now())`;
    // Nothing queued, nothing changed: no audit row.
    if (count === 0) return 0;
    await writeAudit(tx, actor, {
      action: 'app.deliveries.redrive',
      objectId: app.clientId,
      details: { name: app.name, clientId: app.clientId, count, ids: ids ?? [] },
    });
    // Wakes the workers at commit rather than at their next poll.
    await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`;
    return count;
  });
}
