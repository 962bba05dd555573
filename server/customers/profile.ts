import 'server-only';

import { ADDRESS_KINDS, type AddressKind, type AddressValue } from '@/lib/validation/address';
import { ProfilePatchSchema } from '@/lib/validation/profile-patch';
import { Prisma } from '@/server/generated/prisma/client';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool, type Tx } from '@/server/platform/db';
import { writeEvent } from '@/server/platform/outbox';

// Every write of profile data goes through updateProfile: the portal's forms
// and the apps' API alike. docs/decisions/010-profile-writes-versions-and-provenance.md

export type ProfileAttribute = 'firstName' | 'lastName' | 'phone' | 'locale' | `address.${AddressKind}`;
export type HistoryAttribute = ProfileAttribute | 'email';
export type AttributeValue = string | AddressValue | null;

/** Who wrote: "portal", or the name of the app (the API passes its client's name). */
export type Channel = string;

export type Provenance = { changedAt: Date; channel: string; verified: boolean };

export type Profile = {
  version: number;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  locale: string;
  addresses: Record<AddressKind, AddressValue | null>;
  createdAt: Date;
  provenance: Partial<Record<HistoryAttribute, Provenance>>;
};

const addressSelect = { kind: true, country: true, line1: true, line2: true, postalCode: true, city: true } as const;

function addressValue(row: {
  country: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
}): AddressValue {
  // Fixed key order: values are compared as JSON.
  return {
    country: row.country as AddressValue['country'],
    line1: row.line1,
    line2: row.line2,
    postalCode: row.postalCode,
    city: row.city,
  };
}

async function readValues(db: Tx, customerId: string) {
  const row = await db.user.findUnique({
    where: { id: customerId },
    select: {
      version: true,
      email: true,
      emailVerified: true,
      firstName: true,
      lastName: true,
      locale: true,
      createdAt: true,
      phone: { select: { e164: true } },
      addresses: { select: addressSelect },
    },
  });
  if (!row) return null;
  const addresses = Object.fromEntries(ADDRESS_KINDS.map((kind) => [kind, null])) as Record<
    AddressKind,
    AddressValue | null
  >;
  for (const a of row.addresses)
    if ((ADDRESS_KINDS as readonly string[]).includes(a.kind)) addresses[a.kind as AddressKind] = addressValue(a);
  const values: Record<ProfileAttribute, AttributeValue> = {
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone?.e164 ?? null,
    locale: row.locale,
    'address.home': addresses.home,
    'address.billing': addresses.billing,
    'address.shipping': addresses.shipping,
  };
  return { row, addresses, values };
}

// The profile as the customer sees it, read in ONE statement (the account
// pages pay a round trip per statement: docs/performance.md). Its columns are
// written to be selected `FROM customers c`; getProfilePage adds its own.
// Timestamps inside JSON are converted from UTC so that their text carries the
// offset (the columns are UTC `timestamp`s, Prisma's convention).
export const PROFILE_COLUMNS = `
  c.version, c.email, c.email_verified IS NOT NULL AS email_verified, c.first_name, c.last_name, c.locale,
  c.created_at,
  (SELECT p.e164 FROM customer_phones p WHERE p.customer_id = c.id) AS phone,
  (SELECT json_agg(json_build_object('kind', a.kind, 'country', a.country, 'line1', a.line1, 'line2', a.line2,
                                     'postalCode', a.postal_code, 'city', a.city))
     FROM addresses a WHERE a.customer_id = c.id) AS addresses,
  (SELECT json_agg(json_build_object('attribute', l.attribute, 'channel', l.channel, 'verified', l.verified,
                                     'changedAt', l.changed_at AT TIME ZONE 'UTC'))
     FROM (SELECT DISTINCT ON (attribute) attribute, channel, verified, changed_at
             FROM profile_changes WHERE customer_id = c.id ORDER BY attribute, id DESC) l) AS provenance`;

export type ProfileRow = {
  version: number;
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  locale: string;
  created_at: Date;
  phone: string | null;
  addresses: Array<{
    kind: string;
    country: string;
    line1: string;
    line2: string | null;
    postalCode: string;
    city: string;
  }> | null;
  provenance: Array<{ attribute: HistoryAttribute; channel: string; verified: boolean; changedAt: string }> | null;
};

export function toProfile(row: ProfileRow): Profile {
  const addresses = Object.fromEntries(ADDRESS_KINDS.map((kind) => [kind, null])) as Record<
    AddressKind,
    AddressValue | null
  >;
  for (const a of row.addresses ?? [])
    if ((ADDRESS_KINDS as readonly string[]).includes(a.kind)) addresses[a.kind as AddressKind] = addressValue(a);
  const provenance: Profile['provenance'] = {};
  for (const p of row.provenance ?? [])
    provenance[p.attribute] = { changedAt: new Date(p.changedAt), channel: p.channel, verified: p.verified };
  return {
    version: row.version,
    email: row.email,
    emailVerified: row.email_verified,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    locale: row.locale,
    addresses,
    createdAt: row.created_at,
    provenance,
  };
}

/** The profile as the customer sees it, with each attribute's provenance. */
export async function getProfile(customerId: string): Promise<Profile | null> {
  const { rows } = await getPool().query<ProfileRow>(`SELECT ${PROFILE_COLUMNS} FROM customers c WHERE c.id = $1`, [
    customerId,
  ]);
  return rows[0] ? toProfile(rows[0]) : null;
}

export type ProfileChangeEntry = {
  id: string;
  attribute: HistoryAttribute;
  oldValue: AttributeValue;
  newValue: AttributeValue;
  channel: string;
  verified: boolean;
  changedAt: Date;
};

/** The newest `limit` changes as one JSON array, newest first: a column `FROM customers c`. */
export const historyColumn = (limit: string) => `
  (SELECT json_agg(json_build_object('id', h.id::text, 'attribute', h.attribute, 'oldValue', h.old_value,
                                     'newValue', h.new_value, 'channel', h.channel, 'verified', h.verified,
                                     'changedAt', h.changed_at AT TIME ZONE 'UTC') ORDER BY h.id DESC)
     FROM (SELECT id, attribute, old_value, new_value, channel, verified, changed_at
             FROM profile_changes WHERE customer_id = c.id ORDER BY id DESC LIMIT ${limit}) h)`;

export type HistoryRow = Array<Omit<ProfileChangeEntry, 'changedAt'> & { changedAt: string }> | null;

export const toHistory = (rows: HistoryRow): ProfileChangeEntry[] =>
  (rows ?? []).map((h) => ({ ...h, changedAt: new Date(h.changedAt) }));

/** The change history, newest first. */
export async function listProfileChanges(customerId: string, take = 50): Promise<ProfileChangeEntry[]> {
  const { rows } = await getPool().query<{ history: HistoryRow }>(
    `SELECT ${historyColumn('$2')} AS history FROM customers c WHERE c.id = $1`,
    [customerId, take],
  );
  return toHistory(rows[0]?.history ?? null);
}

export type Conflict = { attribute: ProfileAttribute; yours: AttributeValue; current: AttributeValue };

export type ProfileWriteResult =
  | { ok: true; version: number; changed: ProfileAttribute[] }
  | { ok: false; reason: 'invalid'; fieldErrors: Record<string, string> }
  | { ok: false; reason: 'conflict'; version: number; conflicts: Conflict[] }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'forbidden' };

export type ProfileWriteOptions = {
  channel: Channel;
  /**
   * The profile version the writer last read (the form was loaded with, the
   * API's If-Match). null only for writes that read nothing first (the
   * language switcher).
   */
  expectedVersion: number | null;
  /**
   * When the version moved on: 'merge' (the forms) still writes if none of the
   * attributes written changed since expectedVersion; 'reject' refuses any
   * stale write, as an HTTP If-Match does.
   */
  onStale?: 'merge' | 'reject';
  /**
   * Checked inside the write's transaction, once the customer's row is locked
   * (as a withdrawal of an app's access locks it): false refuses the write.
   * The API passes the consent policy's decision for the writing app.
   */
  authorize?: (tx: Tx) => Promise<boolean>;
  /** Runs in the write's transaction once something changed: the console's audit row commits with the change. */
  onWrite?: (tx: Tx, changed: ProfileAttribute[]) => Promise<void>;
};

const same = (a: AttributeValue, b: AttributeValue) => JSON.stringify(a) === JSON.stringify(b);
const json = (v: AttributeValue) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/**
 * Writes profile attributes (validated again here with the shared schema),
 * conditionally on the version the writer read, with one history row per
 * changed attribute and one `customer.updated` event, in one transaction.
 * A concurrent change to an attribute this write also changes is a conflict,
 * returned with both values: never a silent overwrite.
 */
export async function updateProfile(
  customerId: string,
  input: unknown,
  opts: ProfileWriteOptions,
): Promise<ProfileWriteResult> {
  const parsed = ProfilePatchSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[issue.path.join('.') || 'form'] ??= issue.message;
    return { ok: false, reason: 'invalid', fieldErrors };
  }
  const patch = parsed.data;
  const wanted = new Map<ProfileAttribute, AttributeValue>();
  if (patch.firstName !== undefined) wanted.set('firstName', patch.firstName);
  if (patch.lastName !== undefined) wanted.set('lastName', patch.lastName);
  if (patch.phone !== undefined) wanted.set('phone', patch.phone);
  if (patch.locale !== undefined) wanted.set('locale', patch.locale);
  for (const kind of ADDRESS_KINDS) {
    const address = patch.addresses?.[kind];
    if (address !== undefined) wanted.set(`address.${kind}`, address);
  }

  // Serialises every profile write of this customer: the version read under
  // the lock is the one the write is conditional on.
  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, reason: 'not-found' } as const;
    const currentVersion = customer.version;
    if (opts.authorize && !(await opts.authorize(tx))) return { ok: false, reason: 'forbidden' } as const;
    const current = (await readValues(tx, customerId))!.values;

    if (opts.expectedVersion !== null && opts.expectedVersion !== currentVersion) {
      const touched =
        opts.onStale === 'reject'
          ? null
          : await attributesChangedSince(tx, customerId, opts.expectedVersion, currentVersion);
      const conflicts = [...wanted]
        .filter(
          ([attribute, value]) => (touched === null || touched.has(attribute)) && !same(current[attribute], value),
        )
        .map(([attribute, value]) => ({ attribute, yours: value, current: current[attribute] }));
      if (conflicts.length > 0) return { ok: false, reason: 'conflict', version: currentVersion, conflicts } as const;
    }

    const changed = [...wanted].filter(([attribute, value]) => !same(current[attribute], value));
    if (changed.length === 0) return { ok: true, version: currentVersion, changed: [] } as const;
    const version = currentVersion + 1;
    const values = new Map(changed);

    await tx.user.update({
      where: { id: customerId },
      data: {
        version,
        ...(values.has('firstName') ? { firstName: values.get('firstName') as string } : {}),
        ...(values.has('lastName') ? { lastName: values.get('lastName') as string | null } : {}),
        ...(values.has('locale') ? { locale: values.get('locale') as string } : {}),
      },
      select: { id: true },
    });
    if (values.has('phone')) {
      const e164 = values.get('phone') as string | null;
      if (e164 === null) await tx.customerPhone.deleteMany({ where: { customerId } });
      else
        await tx.customerPhone.upsert({
          where: { customerId },
          create: { customerId, e164 },
          update: { e164, verifiedAt: null },
        });
    }
    for (const kind of ADDRESS_KINDS) {
      if (!values.has(`address.${kind}`)) continue;
      const address = values.get(`address.${kind}`) as AddressValue | null;
      if (address === null) await tx.address.deleteMany({ where: { customerId, kind } });
      else
        await tx.address.upsert({
          where: { customerId_kind: { customerId, kind } },
          create: { customerId, kind, ...address },
          update: { ...address, version: { increment: 1 } },
        });
    }
    await tx.profileChange.createMany({
      data: changed.map(([attribute, value]) => ({
        customerId,
        version,
        attribute,
        oldValue: json(current[attribute]),
        newValue: json(value),
        channel: opts.channel,
        verified: false,
      })),
    });
    const fields = changed.map(([attribute]) => attribute);
    await writeEvent(tx, 'customer.updated', customerId, { fields, channel: opts.channel, version });
    await opts.onWrite?.(tx, fields);
    return { ok: true, version, changed: fields } as const;
  });
}

/**
 * The attributes written between two versions, from the history. null when
 * the history does not account for every version in between (a writer that
 * bypassed updateProfile): the caller then treats every attribute as changed.
 */
async function attributesChangedSince(
  tx: Tx,
  customerId: string,
  since: number,
  until: number,
): Promise<Set<string> | null> {
  if (since > until) return null;
  const rows = await tx.profileChange.findMany({
    where: { customerId, version: { gt: since, lte: until } },
    select: { attribute: true, version: true },
  });
  const versions = new Set(rows.map((r) => r.version));
  if (versions.size !== until - since) return null;
  return new Set(rows.map((r) => r.attribute));
}

/** Records a change made outside updateProfile (email, onboarding) in the same history, in the caller's transaction. */
export async function recordProfileChange(
  tx: Tx,
  input: {
    customerId: string;
    version: number;
    attribute: HistoryAttribute;
    oldValue: AttributeValue;
    newValue: AttributeValue;
    channel: Channel;
    verified: boolean;
  },
): Promise<void> {
  await tx.profileChange.create({
    data: { ...input, oldValue: json(input.oldValue), newValue: json(input.newValue) },
    select: { id: true },
  });
}
