import 'server-only';

import type { AddressValue } from '@/lib/validation/address';
import { getPool, type Tx } from '@/server/platform/db';

import type { DataAccessor } from './access-log';

// The consent policy: for a reader (an app, later a staff member or the
// personalization engine) and a customer, which fields it may see. The API,
// the webhooks and the database views all go through it, and every read that
// returns data is written to the customer's access log in the same statement.
// The rule itself is the SQL function accord_visible_fields (migration
// 20261125181838_apps_webhooks), so the database views enforce the very same
// decision. docs/decisions/016-apps-tokens-and-the-consent-policy.md

/** What a reader can ask for, in the words the customer is shown. */
export const SHARED_FIELDS = ['name', 'email', 'phone', 'postalAddress', 'locale', 'preferences', 'signals'] as const;
export type SharedField = (typeof SHARED_FIELDS)[number];

/** A reader's declaration: for each field it needs, the purposes it uses it for. */
export type FieldPurposes = Partial<Record<SharedField, string[]>>;

export type Reader = {
  /** Who is named in the customer's "who looked at my data" list. */
  accessor: DataAccessor;
  /** For an app: the customer's withdrawal of this app hides everything. */
  appId: string | null;
  fieldPurposes: FieldPurposes;
  /** Free text kept with each logged read (a ticket reference…). */
  reason?: string;
};

export type SharedAddresses = Record<'home' | 'billing' | 'shipping', AddressValue | null>;

/** A customer as a reader sees them: a field the reader may not see is absent. */
export type SharedCustomer = {
  id: string;
  version: number;
  updatedAt: Date;
  firstName?: string | null;
  lastName?: string | null;
  email?: string;
  emailVerified?: boolean;
  phone?: string | null;
  locale?: string;
  addresses?: SharedAddresses;
};

export type PolicyRead = {
  customer: SharedCustomer;
  /** The fields visible, each with the purpose that allowed it. */
  visible: Partial<Record<SharedField, string>>;
};

export type Selection =
  | { ids: string[] }
  /** Only a customer whose email this reader may see is found by it. */
  | { email: string }
  /** A page in id order of the customers this reader may see something of. */
  | { after: string | null; limit: number };

type Row = {
  id: string;
  version: number;
  updated_at: Date;
  visible: Partial<Record<SharedField, string>>;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  email_verified: boolean | null;
  phone: string | null;
  locale: string | null;
  addresses: Partial<SharedAddresses> | null;
};

/**
 * Reads customers through the policy, in one statement: the decision, the
 * values (NULL in the database already where not visible: nothing the reader
 * may not see leaves PostgreSQL) and the access-log rows for every customer
 * something was returned of. Unknown ids are simply absent.
 */
export async function readCustomers(reader: Reader, selection: Selection): Promise<PolicyRead[]> {
  const a = reader.accessor;
  const values = [reader.appId, JSON.stringify(reader.fieldPurposes), a.type, a.id, a.name, reader.reason ?? null];
  const readerCte = `r AS (SELECT $1::uuid AS app_id, $2::jsonb AS field_purposes, $3::text AS accessor_type,
    $4::text AS accessor_id, $5::text AS accessor_name, $6::text AS reason)`;
  const { rows } = await policyRead(readerCte, values, selection, 'values');
  return rows.map(toRead);
}

/**
 * A read whose reader is decided in the same statement, by SQL that comes
 * before it (an app's API request: the app check and its rate limit, one round
 * trip for all): `ctes` defines `gate` (one row or none, returned as it is)
 * and `r` (the reader's row, with readCustomers' columns; none when the gate
 * says no, and then nothing is read or logged).
 */
export async function readCustomersGated<Gate extends object>(
  ctes: { name: string; sql: string; values: unknown[] },
  selection: Selection,
): Promise<{ gate: Gate | null; reads: PolicyRead[] }> {
  const { rows } = await policyRead(ctes.sql, ctes.values, selection, ctes.name);
  const first = rows[0] as (Row & { gate: Gate | null }) | undefined;
  return { gate: first?.gate ?? null, reads: rows.filter((row) => row.id !== null).map(toRead) };
}

async function policyRead(readerCtes: string, values: unknown[], selection: Selection, shape: string) {
  const params = [...values];
  const param = (value: unknown) => `$${params.push(value)}`;
  let candidates: string;
  let kind: string;
  const visible = 'accord_visible_fields(c.id, r.app_id, r.field_purposes) AS visible';
  if ('ids' in selection) {
    if (selection.ids.length === 0) return { rows: [] as Array<Row & { gate: null }> };
    // One id (the API's GET, a webhook) compares with = : cheaper to plan and run than = ANY.
    const one = selection.ids.length === 1;
    kind = one ? 'id' : 'ids';
    const ids = param(one ? selection.ids[0] : selection.ids);
    candidates = `SELECT c.*, ${visible} FROM customers c, r WHERE ${one ? `c.id = ${ids}::uuid` : `c.id = ANY(${ids}::uuid[])`}`;
  } else if ('email' in selection) {
    kind = 'email';
    candidates = `SELECT * FROM (SELECT c.*, ${visible} FROM customers c, r WHERE c.email = ${param(selection.email)}) s WHERE s.visible ? 'email'`;
  } else {
    kind = 'page';
    const after = param(selection.after);
    candidates = `SELECT * FROM (SELECT c.*, ${visible} FROM customers c, r
      WHERE (${after}::uuid IS NULL OR c.id > ${after}::uuid) ORDER BY c.id) s WHERE s.visible <> '{}'::jsonb ORDER BY s.id LIMIT ${param(selection.limit)}`;
  }
  const gated = shape !== 'values';
  return getPool().query<Row & { gate: unknown }>({
    // A named (prepared) statement per shape: planned once per connection,
    // not on every read (the API's hot path).
    name: `accord-read-customers-${shape}-${kind}`,
    text: `WITH ${readerCtes},
    d AS MATERIALIZED (${candidates}),
    -- The log's one writer, once for every row returned with something visible.
    logged AS (
      SELECT accord_record_access(array_agg(ROW(d.id, r.accessor_type, r.accessor_id, r.accessor_name,
        ARRAY(SELECT jsonb_object_keys(d.visible)), ARRAY(SELECT e.v FROM jsonb_each_text(d.visible) AS e(k, v)),
        r.reason)::accord_data_access)) AS n
      FROM d, r WHERE d.visible <> '{}'::jsonb
    ),
    -- Joined so that the log is written whenever a row is returned (logged is one row).
    read AS (
      -- Prisma stores UTC in timestamp columns; pg would read them as local time.
      SELECT d.id, d.version, d.updated_at AT TIME ZONE 'UTC' AS updated_at, d.visible,
        CASE WHEN d.visible ? 'name' THEN d.first_name END AS first_name,
        CASE WHEN d.visible ? 'name' THEN d.last_name END AS last_name,
        CASE WHEN d.visible ? 'email' THEN d.email END AS email,
        CASE WHEN d.visible ? 'email' THEN d.email_verified IS NOT NULL END AS email_verified,
        CASE WHEN d.visible ? 'phone' THEN (SELECT p.e164 FROM customer_phones p WHERE p.customer_id = d.id) END AS phone,
        CASE WHEN d.visible ? 'locale' THEN d.locale END AS locale,
        CASE WHEN d.visible ? 'postalAddress' THEN (
          SELECT coalesce(jsonb_object_agg(a.kind, jsonb_build_object(
            'country', a.country, 'line1', a.line1, 'line2', a.line2, 'postalCode', a.postal_code, 'city', a.city)), '{}'::jsonb)
          FROM addresses a WHERE a.customer_id = d.id) END AS addresses
      FROM d CROSS JOIN logged
    )
    ${
      gated
        ? // The gate's row comes back even when nothing is read (then with a NULL id).
          'SELECT read.*, to_jsonb(gate) AS gate FROM gate LEFT JOIN read ON true ORDER BY read.id'
        : 'SELECT read.*, NULL::jsonb AS gate FROM read ORDER BY read.id'
    }`,
    values: params,
  });
}

function toRead(row: Row): PolicyRead {
  const customer: SharedCustomer = { id: row.id, version: row.version, updatedAt: row.updated_at };
  const v = row.visible;
  if (v.name) Object.assign(customer, { firstName: row.first_name, lastName: row.last_name });
  if (v.email) Object.assign(customer, { email: row.email, emailVerified: row.email_verified });
  if (v.phone) customer.phone = row.phone;
  if (v.locale) customer.locale = row.locale ?? undefined;
  if (v.postalAddress) {
    const a = row.addresses ?? {};
    customer.addresses = { home: a.home ?? null, billing: a.billing ?? null, shipping: a.shipping ?? null };
  }
  return { customer, visible: v };
}

/**
 * The decision alone, nothing read or logged: which fields this reader may see
 * (and so write) of a customer. Inside `tx` when given (a write's, with the
 * customer's row locked).
 */
export async function visibleFields(
  reader: Reader,
  customerId: string,
  tx?: Tx,
): Promise<Partial<Record<SharedField, string>>> {
  const sql = 'SELECT accord_visible_fields($1::uuid, $2::uuid, $3::jsonb) AS visible';
  const params = [customerId, reader.appId, JSON.stringify(reader.fieldPurposes)];
  const rows = tx
    ? await tx.$queryRawUnsafe<Array<{ visible: Partial<Record<SharedField, string>> }>>(sql, ...params)
    : (await getPool().query<{ visible: Partial<Record<SharedField, string>> }>(sql, params)).rows;
  return rows[0]?.visible ?? {};
}
