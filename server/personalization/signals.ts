import 'server-only';

// CONTRACT STUB (owner: data-writes engineer). docs/decisions/035-personalization.md §1
import type { SignalKind } from '@/lib/personalization/catalogue';
import type { Tx } from '@/server/platform/db';

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
  throw new Error(`not built yet: listOwnSignals(${customerId})`);
}

/** The one write path of signals. */
export async function recordSignal(
  customerId: string,
  input: RecordSignalInput,
  options: { app: { id: string; name: string } | null; authorize?: (tx: Tx) => Promise<void> },
): Promise<RecordSignalResult> {
  throw new Error(`not built yet: recordSignal(${customerId}, ${input.kind}, ${options.app?.name})`);
}

/** The customer deletes some or all of their signals; returns how many went. */
export async function deleteSignals(customerId: string, ids: string[] | 'all'): Promise<number> {
  throw new Error(`not built yet: deleteSignals(${customerId}, ${String(ids)})`);
}
