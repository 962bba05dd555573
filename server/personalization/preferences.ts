import 'server-only';

import type { PreferenceName } from '@/lib/personalization/catalogue';
import { PreferencesInputSchema, type PreferencesInput } from '@/lib/validation/preferences';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool, type Tx } from '@/server/platform/db';
import { writeEvent } from '@/server/platform/outbox';

// The one write path of a customer's preferences, for the portal and the apps'
// API alike (docs/decisions/035-personalization.md §1): a full replacement,
// conditional on the version read, with per-value provenance, history rows and
// one event in the customer's locked transaction.

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
  /** Runs in the write's transaction once it succeeded (the API fills its Idempotency-Key there). */
  onWritten?: (tx: Tx, result: { version: number; changed: boolean }) => Promise<void>;
};
export type WritePreferencesResult =
  | { ok: true; version: number; changed: boolean }
  | { ok: false; error: 'not-found' | 'stale' }
  | { ok: false; error: 'invalid'; issues: Array<{ path: string; message: string }> };

const HISTORY_LIMIT = 100;

type Row = { name: PreferenceName; value: string; channel: string; set_at: Date };

const pairKey = (name: string, value: string) => `${name}\u0000${value}`;

/** The input as (name, value) pairs, duplicates folded, with each pair's JSON pointer. */
function pairsOf(input: PreferencesInput): Array<{ name: PreferenceName; value: string; pointer: string }> {
  const pairs = [
    ...input.interests.map((value, i) => ({ name: 'interest' as const, value, pointer: `/interests/${i}` })),
    ...(input.favouriteStore === null
      ? []
      : [{ name: 'favouriteStore' as const, value: input.favouriteStore, pointer: '/favouriteStore' }]),
    ...(input.sizes.clothing === null
      ? []
      : [{ name: 'size.clothing' as const, value: input.sizes.clothing, pointer: '/sizes/clothing' }]),
    ...(input.sizes.shoes === null
      ? []
      : [{ name: 'size.shoes' as const, value: input.sizes.shoes, pointer: '/sizes/shoes' }]),
    ...input.channels.map((value, i) => ({ name: 'channel' as const, value, pointer: `/channels/${i}` })),
  ];
  const seen = new Set<string>();
  return pairs.filter((p) => !seen.has(pairKey(p.name, p.value)) && seen.add(pairKey(p.name, p.value)));
}

const pointerOf = (path: ReadonlyArray<PropertyKey>) =>
  path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function toPreferences(version: number, rows: Row[]): CustomerPreferences {
  const value = (r: Row): PreferenceValue => ({ value: r.value, channel: r.channel, setAt: r.set_at });
  const one = (name: PreferenceName) => {
    const row = rows.find((r) => r.name === name);
    return row ? value(row) : null;
  };
  return {
    version,
    interests: rows.filter((r) => r.name === 'interest').map(value),
    favouriteStore: one('favouriteStore'),
    sizes: { clothing: one('size.clothing'), shoes: one('size.shoes') },
    channels: rows.filter((r) => r.name === 'channel').map(value),
  };
}

/** The customer's own view (the preference center): values with provenance, and history. */
export async function getOwnPreferences(
  customerId: string,
): Promise<CustomerPreferences & { history: PreferenceHistoryEntry[] }> {
  // One round trip: the account pages pay per statement (docs/performance.md).
  const { rows } = await getPool().query<{
    version: number;
    rows: Array<Omit<Row, 'set_at'> & { set_at: string }> | null;
    history: Array<Omit<PreferenceHistoryEntry, 'changedAt'> & { changedAt: string }> | null;
  }>({
    name: 'accord-own-preferences',
    text: `SELECT
      coalesce((SELECT s.preferences_version FROM personalization_states s WHERE s.customer_id = $1), 0) AS version,
      (SELECT json_agg(json_build_object('name', p.name, 'value', p.value, 'channel', p.channel,
                                         'set_at', p.set_at AT TIME ZONE 'UTC') ORDER BY p.set_at, p.value)
         FROM customer_preferences p WHERE p.customer_id = $1) AS rows,
      (SELECT json_agg(json_build_object('version', h.version, 'name', h.name, 'oldValue', h.old_value,
                                         'newValue', h.new_value, 'channel', h.channel,
                                         'changedAt', h.changed_at AT TIME ZONE 'UTC') ORDER BY h.id DESC)
         FROM (SELECT * FROM preference_changes WHERE customer_id = $1 ORDER BY id DESC LIMIT $2) h) AS history`,
    values: [customerId, HISTORY_LIMIT],
  });
  const row = rows[0]!;
  const values = (row.rows ?? []).map((r) => ({ ...r, set_at: new Date(r.set_at) }));
  return {
    ...toPreferences(row.version, values),
    history: (row.history ?? []).map((h) => ({ ...h, changedAt: new Date(h.changedAt) })),
  };
}

/**
 * The one write path of preferences (portal and API): a full replacement.
 * A value sent again keeps its provenance (who set it, when); only added and
 * removed values are history. Categories and stores must exist and not be
 * retired, unless the customer already holds the retired value (keeping it is
 * not choosing it). Stale when the version moved since `expectedVersion`.
 */
export async function writePreferences(
  customerId: string,
  input: PreferencesInput,
  options: WritePreferencesOptions,
): Promise<WritePreferencesResult> {
  const parsed = PreferencesInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      error: 'invalid',
      issues: parsed.error.issues.map((i) => ({ path: pointerOf(i.path), message: i.message })),
    };
  }
  const wanted = pairsOf(parsed.data);

  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, error: 'not-found' } as const;
    await options.authorize?.(tx);

    const [state] = await tx.$queryRaw<Array<{ version: number }>>`
      SELECT preferences_version AS version FROM personalization_states WHERE customer_id = ${customerId}::uuid`;
    const currentVersion = state?.version ?? 0;
    const current = await tx.$queryRaw<Row[]>`
      SELECT name, value, channel, set_at FROM customer_preferences WHERE customer_id = ${customerId}::uuid`;
    const held = new Set(current.map((r) => pairKey(r.name, r.value)));

    const categories = wanted.filter((p) => p.name === 'interest').map((p) => p.value);
    const stores = wanted.filter((p) => p.name === 'favouriteStore').map((p) => p.value);
    const [known] = await tx.$queryRaw<Array<{ categories: string[]; stores: string[] }>>`
      SELECT
        ARRAY(SELECT key FROM categories WHERE key = ANY(${categories}::text[]) AND retired_at IS NULL) AS categories,
        ARRAY(SELECT key FROM stores WHERE key = ANY(${stores}::text[]) AND retired_at IS NULL) AS stores`;
    const usable = {
      interest: new Set(known!.categories),
      favouriteStore: new Set(known!.stores),
    };
    const issues = wanted
      .filter(
        (p) =>
          (p.name === 'interest' || p.name === 'favouriteStore') &&
          !usable[p.name].has(p.value) &&
          !held.has(pairKey(p.name, p.value)),
      )
      .map((p) => ({
        path: p.pointer,
        message: p.name === 'interest' ? 'preferences.errors.interest' : 'preferences.errors.store',
      }));
    if (issues.length > 0) return { ok: false, error: 'invalid', issues } as const;

    if (options.expectedVersion !== null && options.expectedVersion !== currentVersion)
      return { ok: false, error: 'stale' } as const;

    const wantedKeys = new Set(wanted.map((p) => pairKey(p.name, p.value)));
    const removed = current.filter((r) => !wantedKeys.has(pairKey(r.name, r.value)));
    const added = wanted.filter((p) => !held.has(pairKey(p.name, p.value)));
    if (removed.length === 0 && added.length === 0) {
      const result = { version: currentVersion, changed: false };
      await options.onWritten?.(tx, result);
      return { ok: true, ...result } as const;
    }

    const version = currentVersion + 1;
    await tx.$executeRaw`
      INSERT INTO personalization_states (customer_id, preferences_version) VALUES (${customerId}::uuid, ${version})
      ON CONFLICT (customer_id) DO UPDATE SET preferences_version = excluded.preferences_version`;
    for (const r of removed) {
      await tx.$executeRaw`
        DELETE FROM customer_preferences WHERE customer_id = ${customerId}::uuid AND name = ${r.name} AND value = ${r.value}`;
    }
    if (added.length > 0) {
      await tx.customerPreference.createMany({
        data: added.map((p) => ({
          customerId,
          name: p.name,
          value: p.value,
          channel: options.channel,
          appId: options.appId,
        })),
      });
    }

    // A single-valued name that changed is one history row, old → new.
    const history: Array<{ name: string; oldValue: string | null; newValue: string | null }> = [];
    const names = new Set([...removed.map((r) => r.name), ...added.map((p) => p.name)]);
    for (const name of names) {
      const gone = removed.filter((r) => r.name === name).map((r) => r.value);
      const come = added.filter((p) => p.name === name).map((p) => p.value);
      if (gone.length === 1 && come.length === 1 && name !== 'interest' && name !== 'channel') {
        history.push({ name, oldValue: gone[0]!, newValue: come[0]! });
        continue;
      }
      for (const value of gone) history.push({ name, oldValue: value, newValue: null });
      for (const value of come) history.push({ name, oldValue: null, newValue: value });
    }
    await tx.preferenceChange.createMany({
      data: history.map((h) => ({ customerId, version, channel: options.channel, ...h })),
    });
    await writeEvent(tx, 'customer.preferences_updated', customerId, {
      names: [...names].sort(),
      channel: options.channel,
      version,
    });
    const result = { version, changed: true };
    await options.onWritten?.(tx, result);
    return { ok: true, ...result } as const;
  });
}
