import 'server-only';

import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { appReader } from '@/server/apps/registry';
import {
  readCustomers,
  SHARED_FIELDS,
  visibleFields,
  type FieldPurposes,
  type SharedCustomer,
  type SharedField,
} from '@/server/consent/policy';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { resolveDestination } from './destination';
import { buildPersonalizationBody, isPersonalizationEvent, type PersonalizationWebhookBody } from './personalization';

// Delivery: claim due rows with SKIP LOCKED and a lease, decide through the
// consent policy what the app may learn of the event (possibly nothing: the
// delivery is then suppressed, never sent), build the payload through the same
// policy, POST it signed (Standard Webhooks), record the outcome.
// docs/decisions/018-webhook-delivery.md

export type Backoff = {
  /** The ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay ceiling above this. */
  capMs: number;
  /** Each retry's ceiling is this many times the previous one. */
  factor: number;
};

export type DeliverySettings = {
  /** Per try, connection to response headers (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Tries before a delivery is dead (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Whether a webhook may go to a private, loopback or link-local address (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Added to timeoutMs for the lease: time to build the payload and record the outcome. */
  leaseMarginMs: number;
  backoff: Backoff;
};

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, capMs: 60 * 60 * 1_000, factor: 4 };
const DEFAULT_LEASE_MARGIN_MS = 15_000;

export function deliverySettings(
  overrides: Partial<Omit<DeliverySettings, 'backoff'>> & { backoff?: Partial<Backoff> } = {},
): DeliverySettings {
  const env = getEnv();
  return {
    timeoutMs: overrides.timeoutMs ?? env.WEBHOOK_TIMEOUT_MS,
    maxAttempts: overrides.maxAttempts ?? env.WEBHOOK_MAX_ATTEMPTS,
    allowPrivate: overrides.allowPrivate ?? env.WEBHOOK_ALLOW_PRIVATE,
    leaseMarginMs: overrides.leaseMarginMs ?? DEFAULT_LEASE_MARGIN_MS,
    backoff: { ...DEFAULT_BACKOFF, ...overrides.backoff },
  };
}

/**
 * Exponential backoff with full jitter: the delay after the n-th failed try is
 * uniform in [0, min(cap, base × factor^(n-1))], so receivers coming back from
 * an outage are not hit by every sender at the same instant.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(failedAttempts: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** Math.max(0, failedAttempts - 1));
  return Math.round(random() * ceiling);
}

/** A delivery this instance holds the lease of, with what it takes to send it. */
export type ClaimedDelivery = {
  id: string;
  /** This try's number (1 for the first): the lease's token when recording. */
  attempt: number;
  eventId: string;
  type: string;
  customerId: string | null;
  eventPayload: Record<string, unknown>;
  occurredAt: Date;
  /** Whether the customer withdrew this app's access (app_access_withdrawals), at the claim. */
  withdrawn: boolean;
  app: {
    id: string;
    clientId: string;
    name: string;
    fieldPurposes: FieldPurposes;
    webhookUrl: string;
    /** Each signs; the second is a replaced secret still within its overlap (rotateWebhookSecret). */
    webhookSecrets: string[];
  };
};

type ClaimRow = {
  id: string;
  attempts: number;
  event_id: string;
  type: string;
  customer_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: Date;
  withdrawn: boolean;
  app_id: string;
  client_id: string;
  name: string;
  field_purposes: FieldPurposes;
  webhook_url: string;
  webhook_secret: string;
  webhook_secret_previous: string | null;
};

/**
 * Claims up to `limit` due deliveries: pending, due, with no live lease, of an
 * enabled app with a webhook. The lease (locked_until) and the try count are
 * set in the claiming statement, which commits before anything is sent, so a
 * crashed sender's rows come back once its lease expires. A disabled app's
 * pending deliveries wait, untouched, until it is enabled again.
 */
export async function claimDeliveries(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const { rows } = await getPool().query<ClaimRow>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN apps a ON a.id = d.app_id
       WHERE d.status = 'pending' AND d.next_attempt_at <= now()
         AND (d.locked_until IS NULL OR d.locked_until <= now())
         AND a.disabled_at IS NULL AND a.webhook_url IS NOT NULL AND a.webhook_secret IS NOT NULL
       ORDER BY d.next_attempt_at, d.id
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, locked_until = now() + $2::int * interval '1 millisecond'
     FROM due, outbox_events o, apps a
     WHERE d.id = due.id AND o.id = d.outbox_id AND a.id = d.app_id
     RETURNING d.id::text AS id, d.attempts, o.event_id, o.type, o.customer_id, o.payload,
       o.occurred_at AT TIME ZONE 'UTC' AS occurred_at,
       EXISTS (SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = o.customer_id AND w.app_id = a.id) AS withdrawn,
       a.id AS app_id, a.client_id, a.name, a.field_purposes, a.webhook_url, a.webhook_secret,
       CASE WHEN a.webhook_secret_previous_until > now() THEN a.webhook_secret_previous END AS webhook_secret_previous`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({
    id: r.id,
    attempt: r.attempts,
    eventId: r.event_id,
    type: r.type,
    customerId: r.customer_id,
    eventPayload: r.payload,
    occurredAt: r.occurred_at,
    withdrawn: r.withdrawn,
    app: {
      id: r.app_id,
      clientId: r.client_id,
      name: r.name,
      fieldPurposes: r.field_purposes,
      webhookUrl: r.webhook_url,
      webhookSecrets: r.webhook_secret_previous ? [r.webhook_secret, r.webhook_secret_previous] : [r.webhook_secret],
    },
  }));
}

/** The body of a webhook, as the Standard Webhooks specification suggests: type, timestamp, data. */
export type WebhookBody =
  | { type: 'customer.deleted'; timestamp: string; data: { customerId: string | null } }
  /** To an app that may see nothing of the customer (any more): its access ended, it drops what it holds. */
  | { type: 'consent.updated'; timestamp: string; data: { customerId: string | null; changed: []; customer: null } }
  | {
      type: string;
      timestamp: string;
      data: { customerId: string | null; changed: SharedField[]; customer: SharedCustomer };
    }
  | PersonalizationWebhookBody;

/** The shared field a profile attribute of an event (server/customers/profile.ts) belongs to. */
function sharedFieldOf(attribute: string): SharedField | null {
  if (attribute === 'firstName' || attribute === 'lastName') return 'name';
  if (attribute === 'email' || attribute === 'phone' || attribute === 'locale') return attribute;
  if (attribute.startsWith('address.')) return 'postalAddress';
  return null;
}

/**
 * What an app is sent of an event, from what the policy lets it see of the
 * customer now: nothing at all (`send: false`: the delivery is suppressed), the bare `consent.updated` that
 * tells it its access ended (`customer: false`), or an event whose `changed`
 * lists only fields it may see, with the customer as it may see them.
 */
export type WebhookPlan = { send: false } | { send: true; type: string; changed: SharedField[]; customer: boolean };

/**
 * The rules (docs/decisions/018-webhook-delivery.md). `customer.deleted` is
 * not decided here: it always goes out. An app that may see nothing of the
 * customer (no purpose granted, customer gone) only hears of consent changes,
 * with no customer at all; an app the customer withdrew hears only of the
 * withdrawal itself, so the customer's id stops reaching it with each later
 * change of consent (docs/attack-protection.md, "What a withdrawn app still
 * sees"); an app that may see something
 * hears of a change only if it touched a field it may see, under a type that
 * reveals nothing more (`customer.email_changed` only to apps that may see
 * the email); a creation and a consent change are news in themselves.
 */
export function planWebhook(
  type: string,
  eventPayload: Record<string, unknown>,
  visible: Partial<Record<SharedField, string>>,
  app: { clientId: string; withdrawn: boolean } = { clientId: '', withdrawn: false },
): WebhookPlan {
  const sees = (field: SharedField) => visible[field] !== undefined;
  if (!SHARED_FIELDS.some(sees)) {
    if (type !== 'consent.updated') return { send: false };
    const endsAccess = eventPayload.app === app.clientId && eventPayload.access === 'withdrawn';
    if (app.withdrawn && !endsAccess) return { send: false };
    return { send: true, type, changed: [], customer: false };
  }
  if (type === 'consent.updated') return { send: true, type, changed: [], customer: true };
  const attributes = Array.isArray(eventPayload.fields) ? eventPayload.fields : [];
  const touched = new Set(attributes.map((a) => sharedFieldOf(String(a))));
  const changed = SHARED_FIELDS.filter((field) => touched.has(field) && sees(field));
  // A new customer the app may see something of: the creation is the news, whatever fields it set.
  if (type === 'customer.created') return { send: true, type, changed, customer: true };
  if (changed.length === 0) return { send: false };
  if (type === 'customer.email_changed' && !sees('email'))
    return { send: true, type: 'customer.updated', changed, customer: true };
  return { send: true, type, changed, customer: true };
}

/**
 * Built at delivery time through the consent policy, for the receiving app:
 * a withdrawal or a consent change applies to the very next try, queued
 * events included. Null when the app is to be sent nothing (planWebhook).
 * The decision is first taken alone (visibleFields: nothing read, nothing
 * logged), so a suppressed delivery leaves no trace in the customer's access
 * log; then the customer is read, and the read's own decision is the one
 * applied, should consent have changed in between. A read that returns
 * something is logged like any other.
 */
export async function buildWebhookBody(delivery: ClaimedDelivery): Promise<WebhookBody | null> {
  const timestamp = delivery.occurredAt.toISOString();
  const customerId = delivery.customerId;
  // Sent to every app with a webhook, even one the customer withdrew: it must erase its copy.
  if (delivery.type === 'customer.deleted') return { type: 'customer.deleted', timestamp, data: { customerId } };
  if (isPersonalizationEvent(delivery.type)) return buildPersonalizationBody({ ...delivery, type: delivery.type });
  const decide = (visible: Partial<Record<SharedField, string>>) =>
    planWebhook(delivery.type, delivery.eventPayload, visible, {
      clientId: delivery.app.clientId,
      withdrawn: delivery.withdrawn,
    });
  let plan = decide(customerId ? await visibleFields(appReader(delivery.app), customerId) : {});
  let customer: SharedCustomer | null = null;
  if (plan.send && plan.customer && customerId) {
    const read = (await readCustomers(appReader(delivery.app, `webhook ${plan.type}`), { ids: [customerId] }))[0];
    // A customer gone since reads as nothing visible.
    plan = decide(read?.visible ?? {});
    customer = read?.customer ?? null;
  }
  if (!plan.send) return null;
  // Only consent.updated is planned without the customer.
  if (!plan.customer) return { type: 'consent.updated', timestamp, data: { customerId, changed: [], customer: null } };
  // Planned with the customer from a read that found them: never null here.
  return customer ? { type: plan.type, timestamp, data: { customerId, changed: plan.changed, customer } } : null;
}

/** 'suppressed': the app may learn nothing of this event (planWebhook); nothing was sent, and it is not retried. */
export type DeliveryResult = 'delivered' | 'suppressed' | 'retry' | 'dead' | 'superseded';

export type DeliveryOutcome = {
  id: string;
  eventId: string;
  type: string;
  appId: string;
  appName: string;
  attempt: number;
  result: DeliveryResult;
  httpStatus: number | null;
  /** What is stored in last_error: short, no secret, no personal data. */
  error: string | null;
  /** When result is 'retry'. */
  nextAttemptAt: Date | null;
  durationMs: number;
  /** An error of ours (the payload could not be built): for the server log, never stored. */
  internalError?: unknown;
};

/** 410 Gone: the receiver says this endpoint is gone for good; more tries would not help. */
const PERMANENT_STATUSES = new Set([410]);

/** A failed try is the last one after `maxAttempts` tries, or at once when the receiver answered 410 Gone. */
export function isFinalFailure(attempt: number, maxAttempts: number, httpStatus: number | null): boolean {
  return attempt >= maxAttempts || (httpStatus !== null && PERMANENT_STATUSES.has(httpStatus));
}

/** What last_error says of a failed POST: short, and never a body, a URL or a secret. */
export function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `timeout after ${timeoutMs} ms`;
  if (error instanceof TypeError) {
    // undici: "fetch failed" with the socket error as the cause. The code only:
    // its message names the host, the URL may carry a token.
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? `network error ${code.slice(0, 40)}` : 'network error';
  }
  // node:http: the socket error itself.
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return `network error ${code.slice(0, 40)}`;
  return 'request failed';
}

/**
 * POSTs to the addresses resolveDestination vetted, never to another resolution
 * of the name (the certificate is still checked against the name). Resolves with
 * the status once the headers are in; the body is not read. A redirect is a
 * failure, not a new destination for customer data: it is not followed.
 */
export function postTo(
  url: URL,
  addresses: LookupAddress[],
  opts: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<number> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
        lookup,
        // No pooled connection to an address resolved for an earlier try.
        agent: false,
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (response) => {
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    request.on('error', reject);
    request.end(opts.body);
  });
}

/** Sends one claimed delivery and records the outcome; never throws for the receiver's faults. */
export async function attemptDelivery(delivery: ClaimedDelivery, settings: DeliverySettings): Promise<DeliveryOutcome> {
  const started = performance.now();
  let httpStatus: number | null = null;
  let error: string | null = null;
  let internalError: unknown;
  let suppressed = false;
  try {
    const built = await buildWebhookBody(delivery);
    if (built === null) {
      // Nothing this app may learn of the event: no POST.
      suppressed = true;
    } else {
      const body = JSON.stringify(built);
      const now = new Date();
      // Space-separated signatures, one per secret: the receiver accepts any it can verify.
      const signature = delivery.app.webhookSecrets
        .map((secret) => new Webhook(secret).sign(delivery.eventId, now, body))
        .join(' ');
      const url = new URL(delivery.app.webhookUrl);
      const destination = await resolveDestination(url.hostname, settings.allowPrivate);
      if (!destination.ok) error = destination.error;
      else
        try {
          httpStatus = await postTo(url, destination.addresses, {
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Accord-Webhooks/1',
              // The outbox event's id: the same on every try, for the receiver to dedupe.
              'webhook-id': delivery.eventId,
              'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
              'webhook-signature': signature,
            },
            body,
            timeoutMs: settings.timeoutMs,
          });
          if (httpStatus < 200 || httpStatus > 299) error = `HTTP ${httpStatus}`;
        } catch (sendError) {
          error = describeFailure(sendError, settings.timeoutMs);
        }
    }
  } catch (buildError) {
    error = 'internal error: the payload could not be built';
    internalError = buildError;
  }

  const base = {
    id: delivery.id,
    eventId: delivery.eventId,
    type: delivery.type,
    appId: delivery.app.id,
    appName: delivery.app.name,
    attempt: delivery.attempt,
    httpStatus,
    error,
    ...(internalError === undefined ? {} : { internalError }),
  };
  const pool = getPool();
  if (suppressed) {
    // Final, like a delivery: never claimed again (only a redrive by id re-decides it).
    // Only while the lease is ours: another instance that took the row decides for itself.
    const recorded = await pool.query(
      `UPDATE webhook_deliveries SET status = 'suppressed', locked_until = NULL, last_status = NULL, last_error = NULL
       WHERE id = $1::bigint AND status = 'pending' AND attempts = $2`,
      [delivery.id, delivery.attempt],
    );
    return {
      ...base,
      result: recorded.rowCount === 0 ? 'superseded' : 'suppressed',
      nextAttemptAt: null,
      durationMs: performance.now() - started,
    };
  }
  if (error === null) {
    // Recorded even if the lease expired meanwhile: the receiver has it.
    await pool.query(
      `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), locked_until = NULL, last_status = $2, last_error = NULL
       WHERE id = $1::bigint AND status = 'pending'`,
      [delivery.id, httpStatus],
    );
    return { ...base, result: 'delivered', nextAttemptAt: null, durationMs: performance.now() - started };
  }
  const dead = isFinalFailure(delivery.attempt, settings.maxAttempts, httpStatus);
  const delay = dead ? 0 : backoffDelay(delivery.attempt, settings.backoff);
  // Only while the lease is still ours: if it expired and another instance
  // took the row (attempts moved on), or an operator redrove it, its state wins.
  const recorded = await pool.query(
    `UPDATE webhook_deliveries SET
       status = CASE WHEN $3::boolean THEN 'dead' ELSE 'pending' END,
       next_attempt_at = CASE WHEN $3::boolean THEN next_attempt_at ELSE now() + $4::int * interval '1 millisecond' END,
       locked_until = NULL, last_status = $5, last_error = $6
     WHERE id = $1::bigint AND status = 'pending' AND attempts = $2`,
    [delivery.id, delivery.attempt, dead, delay, httpStatus, error],
  );
  const result: DeliveryResult = recorded.rowCount === 0 ? 'superseded' : dead ? 'dead' : 'retry';
  return {
    ...base,
    result,
    nextAttemptAt: result === 'retry' ? new Date(Date.now() + delay) : null,
    durationMs: performance.now() - started,
  };
}

/**
 * Claims what is due (up to `limit`) and sends it all in parallel; for tests
 * and one-off runs. The worker (./worker.ts) does the same in a loop.
 */
export async function deliverDue(
  opts: { limit?: number; settings?: DeliverySettings } = {},
): Promise<DeliveryOutcome[]> {
  const settings = opts.settings ?? deliverySettings();
  const claimed = await claimDeliveries(opts.limit ?? 50, settings.timeoutMs + settings.leaseMarginMs);
  return Promise.all(claimed.map((delivery) => attemptDelivery(delivery, settings)));
}
