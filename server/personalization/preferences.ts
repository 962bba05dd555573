import 'server-only';

// CONTRACT STUB (owner: data-writes engineer). docs/decisions/035-personalization.md §1
import type { PreferencesInput } from '@/lib/validation/preferences';
import type { Tx } from '@/server/platform/db';

export type PreferenceValue = {
  value: string;
  /** "portal" or the app's name */
  channel: string;
  setAt: Date;
};
export type CustomerPreferences = {
  version: number;
  interests: PreferenceValue[];
  favouriteStore: PreferenceValue | null;
  sizes: { clothing: PreferenceValue | null; shoes: PreferenceValue | null };
  channels: PreferenceValue[];
};
export type PreferenceHistoryEntry = {
  version: number;
  name: string;
  oldValue: string | null;
  newValue: string | null;
  channel: string;
  changedAt: Date;
};

export type WritePreferencesOptions = {
  /** "portal" or the app's name */
  channel: string;
  appId: string | null;
  /** The version the writer read (If-Match, the form's hidden field); null: unconditional. */
  expectedVersion: number | null;
  /** Runs under the customer lock before any write; throws to refuse (the API's policy check). */
  authorize?: (tx: Tx) => Promise<void>;
};
export type WritePreferencesResult =
  | { ok: true; version: number; changed: boolean }
  | { ok: false; error: 'not-found' | 'stale' }
  | { ok: false; error: 'invalid'; issues: Array<{ path: string; message: string }> };

/** The customer's own view (the preference center): values with provenance, and history. */
export async function getOwnPreferences(
  customerId: string,
): Promise<CustomerPreferences & { history: PreferenceHistoryEntry[] }> {
  throw new Error(`not built yet: getOwnPreferences(${customerId})`);
}

/** The one write path of preferences (portal and API): a full replacement. */
export async function writePreferences(
  customerId: string,
  input: PreferencesInput,
  options: WritePreferencesOptions,
): Promise<WritePreferencesResult> {
  throw new Error(`not built yet: writePreferences(${customerId}, ${JSON.stringify(input)}, ${options.channel})`);
}
