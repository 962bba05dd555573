import 'server-only';

import type { Locale } from '@/lib/i18n/config';
import { getPool } from '@/server/platform/db';

import type { DataAccessEntry } from './access-log';
import { toAppAccessView, type AppAccessView, type AppRow } from './app-access';
import { needsReview, type OptOut, type PurposeView, type ReceiptSummary } from './consent';

const RECEIPTS_SHOWN = 100;
const ACCESSES_SHOWN = 50;

export type PrivacyDashboard = {
  purposes: PurposeView[];
  /** Newest first. */
  receipts: ReceiptSummary[];
  /** Every purpose's title in the customer's language, by key (the receipts and the access log name them). */
  titles: Record<string, string>;
  optOuts: OptOut[];
  apps: AppAccessView[];
  /** Newest first. */
  accesses: DataAccessEntry[];
  passkeys: number;
};

type Dated<T, K extends keyof T> = Omit<T, K> & { [P in K]: string };
type Row = {
  purposes: Array<
    Omit<PurposeView, 'state' | 'needsReview'> & {
      granted: boolean | null;
      version: number | null;
      answeredAt: string | null;
    }
  > | null;
  receipts: Array<Dated<ReceiptSummary, 'createdAt'>> | null;
  titles: Record<string, string> | null;
  opt_outs: Array<Dated<OptOut, 'createdAt'>> | null;
  apps: AppRow[] | null;
  accesses: Array<Dated<DataAccessEntry, 'occurredAt'>> | null;
  passkeys: number;
};

/**
 * Everything /account/privacy shows, in one statement: each statement costs
 * the database a parse, a plan and a round trip, and the page made eleven
 * (docs/performance.md). Each column gives what the function that reads it
 * alone gives (listPurposesFor, listReceipts, purposeTitles, listOptOuts,
 * listAppsForCustomer, listDataAccess, countPasskeys), with the same SQL
 * functions for the consents in effect and what each app may see;
 * tests/integration/privacy-dashboard.test.ts holds them to the same answers.
 * Timestamps inside JSON are converted from UTC so that their text carries the
 * offset (the columns are UTC `timestamp`s).
 */
export async function getPrivacyDashboard(customerId: string, locale: Locale): Promise<PrivacyDashboard> {
  const { rows } = await getPool().query<Row>({
    // Named (prepared): planning this statement (with the SQL functions it
    // inlines) costs the database more than running it; planned once per
    // connection instead of on every page.
    name: 'accord-privacy-dashboard',
    text: `SELECT
       (SELECT json_agg(json_build_object(
                 'key', p.key, 'legalBasis', p.legal_basis, 'required', p.required,
                 'currentVersion', p.current_version,
                 'title', CASE WHEN $2 = 'fr' THEN v.title_fr ELSE v.title_en END,
                 'text', CASE WHEN $2 = 'fr' THEN v.text_fr ELSE v.text_en END,
                 'policyUrl', v.policy_url, 'granted', cc.granted, 'version', cc.purpose_version,
                 'answeredAt', cc.answered_at AT TIME ZONE 'UTC') ORDER BY p.sort_order, p.key)
          FROM consent_purposes p
          JOIN consent_purpose_versions v ON v.purpose_key = p.key AND v.version = p.current_version
          LEFT JOIN accord_current_consents($1) cc ON cc.purpose_key = p.key) AS purposes,
       (SELECT json_agg(json_build_object(
                 'id', r.id, 'purposeKey', r.purpose_key, 'purposeVersion', r.purpose_version, 'granted', r.granted,
                 'collectionMethod', r.collection_method, 'channel', r.channel, 'jurisdiction', r.jurisdiction,
                 'createdAt', r.created_at AT TIME ZONE 'UTC') ORDER BY r.created_at DESC, r.id DESC)
          FROM (SELECT id, purpose_key, purpose_version, granted, collection_method, channel, jurisdiction, created_at
                  FROM consent_receipts WHERE customer_id = $1
                 ORDER BY created_at DESC, id DESC LIMIT ${RECEIPTS_SHOWN}) r) AS receipts,
       (SELECT json_object_agg(t.purpose_key, t.title)
          FROM (SELECT DISTINCT ON (purpose_key) purpose_key,
                       CASE WHEN $2 = 'fr' THEN title_fr ELSE title_en END AS title
                  FROM consent_purpose_versions ORDER BY purpose_key, version DESC) t) AS titles,
       (SELECT json_agg(json_build_object('kind', o.kind, 'source', o.source,
                                          'createdAt', o.created_at AT TIME ZONE 'UTC') ORDER BY o.created_at)
          FROM privacy_opt_outs o WHERE o.customer_id = $1) AS opt_outs,
       (SELECT json_agg(json_build_object(
                 'id', a.id, 'name', a.name, 'description', a.description, 'field_purposes', a.field_purposes,
                 'visible', accord_visible_fields($1, a.id, a.field_purposes),
                 'withdrawn', EXISTS (SELECT 1 FROM app_access_withdrawals w
                                       WHERE w.customer_id = $1 AND w.app_id = a.id)) ORDER BY a.name)
          FROM apps a WHERE a.disabled_at IS NULL) AS apps,
       (SELECT json_agg(json_build_object(
                 'id', l.id::text, 'accessorType', l.accessor_type, 'accessorName', l.accessor_name,
                 'fields', l.fields, 'purpose', l.purpose, 'reason', l.reason,
                 'occurredAt', l.occurred_at AT TIME ZONE 'UTC') ORDER BY l.id DESC)
          FROM (SELECT id, accessor_type, accessor_name, fields, purpose, reason, occurred_at
                  FROM data_access_log WHERE customer_id = $1 ORDER BY id DESC LIMIT ${ACCESSES_SHOWN}) l)
         AS accesses,
       (SELECT count(*)::int FROM passkeys k WHERE k.customer_id = $1) AS passkeys`,
    values: [customerId, locale],
  });
  const row = rows[0]!;
  const titles = row.titles ?? {};
  return {
    purposes: (row.purposes ?? []).map(({ granted, version, answeredAt, ...purpose }) => {
      const state = { granted, version, answeredAt: answeredAt === null ? null : new Date(answeredAt) };
      return { ...purpose, state, needsReview: needsReview(state, purpose.currentVersion) };
    }),
    receipts: (row.receipts ?? []).map((r) => ({ ...r, createdAt: new Date(r.createdAt) })),
    titles,
    optOuts: (row.opt_outs ?? []).map((o) => ({ ...o, createdAt: new Date(o.createdAt) })),
    apps: (row.apps ?? []).map((a) => toAppAccessView(a, titles)),
    accesses: (row.accesses ?? []).map((a) => ({ ...a, occurredAt: new Date(a.occurredAt) })),
    passkeys: row.passkeys,
  };
}
