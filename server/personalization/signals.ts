import 'server-only';

import type { SignalKind } from '@/lib/personalization/catalogue';
import { RecordSignalSchema, SIGNAL_FUTURE_TOLERANCE_MS } from '@/lib/validation/signals';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { writeEvent } from '@/server/platform/outbox';

// The one write path of behaviour signals, and the customer's own list and
// deletion (docs/decisions/035-personalization.md §1). A signal is stored only
// while the customer's personalization grant is in effect (whatever its text
// version, ADR 012): withdrawing it deletes them (the migration's trigger).

const DAY_MS = 24 * 60 * 60 * 1000;

export type SignalRow = {
  id: string;
  kind: SignalKind;
  category: string;
  item: string | null;
  occurredAt: Date;
  receivedAt: Date;
  /** "portal" or the writing app's name */
  source: string;
  /** When it stops counting (occurredAt + SIGNAL_RETENTION_DAYS). */
  countsUntil: Date;
  /** False while its app is withdrawn by the customer. */
  counts: boolean;
};

export type RecordSignalInput = { kind: SignalKind; category: string; item?: string | null; occurredAt?: Date };
export type RecordSignalResult =
  | { ok: true; id: string }
  | { ok: false; error: 'not-found' | 'not-granted' }
  | { ok: false; error: 'invalid'; issues: Array<{ path: string; message: string }> };

/** The customer's own list (the preference center's activity), newest first. */
export async function listOwnSignals(customerId: string): Promise<SignalRow[]> {
  const retentionMs = getEnv().SIGNAL_RETENTION_DAYS * DAY_MS;
  const { rows } = await getPool().query<{
    id: string;
    kind: SignalKind;
    category: string;
    item: string | null;
    occurred_at: Date;
    received_at: Date;
    source: string;
    counts: boolean;
  }>({
    name: 'accord-own-signals',
    text: `SELECT s.id::text, s.kind, s.category, s.item,
        s.occurred_at AT TIME ZONE 'UTC' AS occurred_at, s.received_at AT TIME ZONE 'UTC' AS received_at,
        coalesce(a.name, 'portal') AS source,
        NOT EXISTS (SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = s.customer_id AND w.app_id = s.app_id)
          AS counts
      FROM customer_signals s LEFT JOIN apps a ON a.id = s.app_id
      WHERE s.customer_id = $1::uuid
      ORDER BY s.occurred_at DESC, s.id DESC`,
    values: [customerId],
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    category: r.category,
    item: r.item,
    occurredAt: r.occurred_at,
    receivedAt: r.received_at,
    source: r.source,
    countsUntil: new Date(r.occurred_at.getTime() + retentionMs),
    counts: r.counts,
  }));
}

const pointerOf = (path: ReadonlyArray<PropertyKey>) =>
  path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

async function bumpSignalsVersion(tx: Tx, customerId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO personalization_states (customer_id, signals_version) VALUES (${customerId}::uuid, 1)
    ON CONFLICT (customer_id) DO UPDATE SET signals_version = personalization_states.signals_version + 1`;
}

/**
 * The one write path of signals. `occurredAt` defaults to now; more than five
 * minutes ahead, or already out of retention, is invalid. The category must
 * exist and not be retired. Not granted: nothing stored.
 */
export async function recordSignal(
  customerId: string,
  input: RecordSignalInput,
  options: {
    app: { id: string; name: string } | null;
    authorize?: (tx: Tx) => Promise<void>;
    /** Runs in the write's transaction once the signal is stored (the API fills its Idempotency-Key there). */
    onWritten?: (tx: Tx, id: string) => Promise<void>;
    /** The clock, for tests of the time bounds. */
    now?: Date;
  },
): Promise<RecordSignalResult> {
  const parsed = RecordSignalSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      error: 'invalid',
      issues: parsed.error.issues.map((i) => ({ path: pointerOf(i.path), message: i.message })),
    };
  }
  const signal = parsed.data;
  const now = options.now ?? new Date();
  const occurredAt = signal.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime() + SIGNAL_FUTURE_TOLERANCE_MS)
    return { ok: false, error: 'invalid', issues: [{ path: '/occurredAt', message: 'signal.occurredAt.future' }] };
  if (occurredAt.getTime() <= now.getTime() - getEnv().SIGNAL_RETENTION_DAYS * DAY_MS)
    return { ok: false, error: 'invalid', issues: [{ path: '/occurredAt', message: 'signal.occurredAt.tooOld' }] };

  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, error: 'not-found' } as const;
    await options.authorize?.(tx);
    // The customer's current answer, by the one definition (ADR 019); the
    // lock orders this read after any withdrawal committed before it.
    const [state] = await tx.$queryRaw<Array<{ granted: boolean; category: boolean }>>`
      SELECT
        coalesce((SELECT c.granted FROM accord_current_consents(${customerId}::uuid) c
                   WHERE c.purpose_key = 'personalization'), false) AS granted,
        EXISTS (SELECT 1 FROM categories WHERE key = ${signal.category} AND retired_at IS NULL) AS category`;
    if (!state!.granted) return { ok: false, error: 'not-granted' } as const;
    if (!state!.category)
      return { ok: false, error: 'invalid', issues: [{ path: '/category', message: 'signal.category' }] } as const;

    const [row] = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO customer_signals (customer_id, app_id, kind, category, item, occurred_at)
      VALUES (${customerId}::uuid, ${options.app?.id ?? null}::uuid, ${signal.kind}, ${signal.category},
              ${signal.item ?? null}, ${occurredAt})
      RETURNING id::text`;
    const id = row!.id;
    await bumpSignalsVersion(tx, customerId);
    await writeEvent(tx, 'customer.signal_recorded', customerId, { signalId: id });
    await options.onWritten?.(tx, id);
    return { ok: true, id } as const;
  });
}

/** The customer deletes some or all of their signals; returns how many went. */
export async function deleteSignals(customerId: string, ids: string[] | 'all'): Promise<number> {
  // Ids are bigint text; anything else names no signal of anyone.
  const wanted = ids === 'all' ? null : ids.filter((id) => /^\d{1,18}$/.test(id));
  if (wanted !== null && wanted.length === 0) return 0;
  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return 0;
    const deleted = await tx.$queryRaw<Array<{ id: string }>>`
      DELETE FROM customer_signals
      WHERE customer_id = ${customerId}::uuid AND (${wanted}::bigint[] IS NULL OR id = ANY(${wanted}::bigint[]))
      RETURNING id::text`;
    if (deleted.length === 0) return 0;
    await bumpSignalsVersion(tx, customerId);
    await writeEvent(tx, 'customer.signals_deleted', customerId, {
      ids: deleted.map((d) => d.id).sort((a, b) => Number(a) - Number(b)),
    });
    return deleted.length;
  });
}
