import 'server-only';

// docs/decisions/035-personalization.md §5 step 3: one named statement decides visibility through
// the one consent policy (accord_visible_fields), reads only the attribute groups asked for, and
// logs the read (accord_record_access). It is also the loader the SQL translator is proven against
// (tests/integration/rule-sql.property.test.ts): a window's meaning is written here and in
// rule-sql.ts, and that test holds them equal.
import { brand } from '@/lib/brand';
import {
  SIGNAL_ATTRIBUTE_KINDS,
  SIGNAL_WINDOWS,
  type Attributes,
  type SignalKind,
  type SignalWindow,
} from '@/lib/personalization/catalogue';
import type { Reader } from '@/server/consent/policy';
import { getPool, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

export type AttributeGroup = 'profile' | 'preferences' | 'signals';

export type LoadedAttributes = {
  contentVersion: number;
  /** The personalization grant is in effect for this reader (the policy's answer). */
  granted: boolean;
  /** null when not granted: nothing was read, nothing logged. */
  attributes: Attributes | null;
  preferencesVersion: number;
  signalsVersion: number;
  /** The receipt that decided the grant (an input of the decision's ETag). */
  consentReceiptId: string | null;
  /** App ids the customer withdrew (their signals did not count). */
  withdrawnApps: string[];
};

/** What personalization reads, each field for the one purpose (ADR 035 §5). */
export const PERSONALIZATION_FIELDS = {
  preferences: ['personalization'],
  signals: ['personalization'],
  locale: ['personalization'],
  country: ['personalization'],
  memberSince: ['personalization'],
} as const;

const DAY = 86_400_000;

/** The first instant a signal no longer counts before (the retention's edge, exclusive). */
export function retentionStart(now: Date): Date {
  return new Date(now.getTime() - getEnv().SIGNAL_RETENTION_DAYS * DAY);
}

type Loaded = {
  content_version: number;
  granted: boolean;
  withdrawn_apps: string[];
  receipt_id: string | null;
  preferences_version: number;
  signals_version: number;
  profile: { locale: string; country: string | null; member_days: number } | null;
  preferences: Array<{ name: string; value: string }> | null;
  signals: Array<{ kind: SignalKind; category: string; latest: number }> | null;
};

// Signals count while within the retention and not from an app the customer withdrew; `$5` is
// the retention's start, `n` the decision's instant (never SQL's now(): the evaluator's `now`).
const STATEMENT = `WITH
  n AS (SELECT ($4::timestamptz AT TIME ZONE 'UTC') AS now, ($5::timestamptz AT TIME ZONE 'UTC') AS retention_start),
  c AS (SELECT c.id, c.locale, c.created_at FROM customers c WHERE c.id = $1::uuid),
  v AS (SELECT accord_visible_fields(c.id, $2::uuid, $3::jsonb) AS visible FROM c),
  -- Only the fields of the groups asked are read, so only they are logged.
  f AS (
    SELECT v.visible <> '{}'::jsonb AS granted,
      ARRAY(SELECT k FROM jsonb_object_keys(v.visible) AS k
            WHERE (k IN ('locale', 'country', 'memberSince') AND 'profile' = ANY($6::text[]))
               OR (k = 'preferences' AND 'preferences' = ANY($6::text[]))
               OR (k = 'signals' AND 'signals' = ANY($6::text[]))) AS fields,
      ARRAY(SELECT e.purpose FROM jsonb_each_text(v.visible) AS e(field, purpose)) AS purposes
    FROM v
  ),
  logged AS (
    SELECT accord_record_access(ARRAY[ROW(c.id, $7::text, $8::text, $9::text, f.fields, f.purposes, $10::text)::accord_data_access]) AS n
    FROM c, f WHERE f.granted AND cardinality(f.fields) > 0
  )
SELECT jsonb_build_object(
  'content_version', (SELECT s.version FROM content_state s WHERE s.id = 1),
  'granted', f.granted,
  'logged', (SELECT logged.n FROM logged),
  'withdrawn_apps', ARRAY(SELECT w.app_id::text FROM app_access_withdrawals w WHERE w.customer_id = c.id ORDER BY 1),
  'receipt_id', CASE WHEN f.granted THEN (
      SELECT r.id FROM consent_receipts r WHERE r.customer_id = c.id AND r.purpose_key = 'personalization'
      ORDER BY r.created_at DESC, r.id DESC LIMIT 1) END,
  'preferences_version', CASE WHEN f.granted THEN coalesce((SELECT p.preferences_version FROM personalization_states p WHERE p.customer_id = c.id), 0) ELSE 0 END,
  'signals_version', CASE WHEN f.granted THEN coalesce((SELECT p.signals_version FROM personalization_states p WHERE p.customer_id = c.id), 0) ELSE 0 END,
  'profile', CASE WHEN f.granted AND 'profile' = ANY($6::text[]) THEN jsonb_build_object(
      'locale', c.locale,
      'country', (SELECT a.country FROM addresses a WHERE a.customer_id = c.id AND a.kind = 'home'),
      'member_days', floor(extract(epoch FROM (n.now - c.created_at)) / 86400)::int) END,
  'preferences', CASE WHEN f.granted AND 'preferences' = ANY($6::text[]) THEN coalesce((
      SELECT jsonb_agg(jsonb_build_object('name', p.name, 'value', p.value) ORDER BY p.name, p.value)
      FROM customer_preferences p WHERE p.customer_id = c.id), '[]'::jsonb) END,
  'signals', CASE WHEN f.granted AND 'signals' = ANY($6::text[]) THEN coalesce((
      SELECT jsonb_agg(jsonb_build_object('kind', s.kind, 'category', s.category, 'latest', s.latest))
      FROM (
        SELECT s.kind, s.category, (extract(epoch FROM max(s.occurred_at)) * 1000)::float8 AS latest
        FROM customer_signals s
        WHERE s.customer_id = c.id AND s.occurred_at > n.retention_start
          AND (s.app_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = s.customer_id AND w.app_id = s.app_id))
        GROUP BY s.kind, s.category
      ) s), '[]'::jsonb) END
) AS loaded
FROM c CROSS JOIN f CROSS JOIN n`;

/**
 * reader 'portal': the site's own decision (accessor type personalization, id portal); otherwise an
 * app's or a staff member's Reader. `reason` is logged ("home page", "content decision", "preview").
 * Returns null for an unknown customer. Runs in `db` when given (a preview's transaction).
 */
export async function loadAttributes(args: {
  customerId: string;
  reader: 'portal' | Reader;
  groups: AttributeGroup[];
  now: Date;
  reason: string;
  db?: Tx;
}): Promise<LoadedAttributes | null> {
  const accessor =
    args.reader === 'portal' ? { type: 'personalization', id: 'portal', name: brand.name } : args.reader.accessor;
  const params = [
    args.customerId,
    args.reader === 'portal' ? null : args.reader.appId,
    JSON.stringify(PERSONALIZATION_FIELDS),
    args.now.toISOString(),
    retentionStart(args.now).toISOString(),
    args.groups,
    accessor.type,
    accessor.id,
    accessor.name,
    args.reason,
  ];
  const rows = args.db
    ? await args.db.$queryRawUnsafe<Array<{ loaded: Loaded }>>(STATEMENT, ...params)
    : (await getPool().query<{ loaded: Loaded }>({ name: 'accord-load-attributes', text: STATEMENT, values: params }))
        .rows;
  const loaded = rows[0]?.loaded;
  if (!loaded) return null;
  return {
    contentVersion: loaded.content_version,
    granted: loaded.granted,
    attributes: loaded.granted ? toAttributes(loaded, args.now) : null,
    preferencesVersion: loaded.preferences_version,
    signalsVersion: loaded.signals_version,
    consentReceiptId: loaded.receipt_id,
    withdrawnApps: loaded.withdrawn_apps,
  };
}

const WINDOWS = Object.entries(SIGNAL_WINDOWS) as Array<[SignalWindow, number]>;

/** Groups not read keep empty values: a rule on them is not the content set's (decide asks for its groups). */
function toAttributes(loaded: Loaded, now: Date): Attributes {
  const preferences = loaded.preferences ?? [];
  const values = (name: string) => preferences.filter((p) => p.name === name).map((p) => p.value);
  const one = (name: string) => values(name)[0] ?? null;

  // The latest counted instant per kind and category.
  const latest = new Map<string, number>();
  for (const s of loaded.signals ?? []) latest.set(`${s.kind} ${s.category}`, s.latest);
  const categories = [...new Set((loaded.signals ?? []).map((s) => s.category))].sort();
  const at = (kind: SignalKind, category: string) => latest.get(`${kind} ${category}`) ?? -Infinity;
  const within = (t: number, days: number) => t > now.getTime() - days * DAY;
  const held: Record<(typeof SIGNAL_ATTRIBUTE_KINDS)[number], (category: string, days: number) => boolean> = {
    viewed: (c, d) => within(at('viewed', c), d),
    cartAdded: (c, d) => within(at('cart-added', c), d),
    purchased: (c, d) => within(at('purchased', c), d),
    // Still in the cart: the latest addition is in the window and after every removal or purchase.
    inCart: (c, d) => {
      const added = at('cart-added', c);
      return within(added, d) && added > Math.max(at('cart-removed', c), at('purchased', c));
    },
  };
  const signals = Object.fromEntries(
    SIGNAL_ATTRIBUTE_KINDS.map((kind) => [
      kind,
      Object.fromEntries(WINDOWS.map(([w, days]) => [w, categories.filter((c) => held[kind](c, days))])),
    ]),
  ) as Attributes['signals'];

  return {
    locale: loaded.profile?.locale ?? '',
    country: loaded.profile?.country ?? null,
    memberDays: loaded.profile?.member_days ?? 0,
    favouriteStore: one('favouriteStore'),
    sizes: { clothing: one('size.clothing'), shoes: one('size.shoes') },
    interests: values('interest'),
    channels: values('channel'),
    signals,
  };
}
