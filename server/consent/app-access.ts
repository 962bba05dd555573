import 'server-only';

import type { Locale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import { revokeAppGrants } from '@/server/oidc/grants';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool } from '@/server/platform/db';
import { writeEvent } from '@/server/platform/outbox';

import { purposeTitles } from './consent';
import { SHARED_FIELDS, type FieldPurposes, type SharedField } from './policy';

// "Apps with access" on the privacy dashboard: which of the brand's apps read
// what of the customer and why, and the customer's withdrawal of an app, which
// the consent policy (accord_visible_fields) applies on the app's next read
// through the API, the webhooks or the database views.
// docs/decisions/017-consent-enforcing-database-views.md

export type AppAccessView = {
  id: string;
  name: string;
  description: string;
  /** What it reads (in SHARED_FIELDS order) and why: the purposes, titled in the customer's language. */
  fields: Array<{ field: SharedField; purposes: Array<{ key: string; title: string }> }>;
  /** What it can see of this customer now: nothing once withdrawn, else the fields whose purpose the customer allows. */
  visibleFields: SharedField[];
  withdrawn: boolean;
};

export type AppRow = {
  id: string;
  name: string;
  description: string;
  field_purposes: FieldPurposes;
  visible: Partial<Record<SharedField, string>>;
  withdrawn: boolean;
};

/** Every enabled app, by name, as this customer sees it. */
export async function listAppsForCustomer(customerId: string, locale: Locale): Promise<AppAccessView[]> {
  const [{ rows }, titles] = await Promise.all([
    getPool().query<AppRow>(
      `SELECT a.id, a.name, a.description, a.field_purposes,
              accord_visible_fields($1::uuid, a.id, a.field_purposes) AS visible,
              EXISTS (SELECT 1 FROM app_access_withdrawals w WHERE w.customer_id = $1::uuid AND w.app_id = a.id) AS withdrawn
       FROM apps a WHERE a.disabled_at IS NULL ORDER BY a.name`,
      [customerId],
    ),
    purposeTitles(locale),
  ]);
  return rows.map((row) => toAppAccessView(row, titles));
}

export function toAppAccessView(row: AppRow, titles: Record<string, string>): AppAccessView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    fields: SHARED_FIELDS.flatMap((field) => {
      const purposes = row.field_purposes[field];
      return purposes?.length ? [{ field, purposes: purposes.map((key) => ({ key, title: titles[key] ?? key })) }] : [];
    }),
    visibleFields: SHARED_FIELDS.filter((field) => field in row.visible),
    withdrawn: row.withdrawn,
  };
}

export type SetAppAccessResult = { ok: true; changed: boolean } | { ok: false; reason: 'unknown-app' | 'not-found' };

/**
 * Withdraws (allowed = false) or allows again one app's access to this
 * customer's data, effective at the app's next read. A real change writes one
 * `consent.updated` event in the same transaction; answering what is already
 * the case writes nothing. A withdrawal also revokes the app's sign-in grants
 * and tokens (its next refresh gets invalid_grant), even when already withdrawn:
 * a sign-in since then holds a grant too.
 */
export async function setAppAccess(
  customerId: string,
  appId: string,
  allowed: boolean,
  opts: { channel: string } = { channel: 'portal' },
): Promise<SetAppAccessResult> {
  if (!isUuid(appId)) return { ok: false, reason: 'unknown-app' };
  // One answer at a time per customer (as setConsent): two quick clicks cannot
  // interleave, and a write by this app waits for the withdrawal (updateProfile).
  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, reason: 'not-found' } as const;
    const app = await tx.app.findUnique({ where: { id: appId }, select: { id: true, clientId: true, name: true } });
    if (!app) return { ok: false, reason: 'unknown-app' } as const;
    const changed = allowed
      ? (await tx.appAccessWithdrawal.deleteMany({ where: { customerId, appId } })).count > 0
      : (await tx.appAccessWithdrawal.createMany({ data: [{ customerId, appId }], skipDuplicates: true })).count > 0;
    if (!allowed) await revokeAppGrants(tx, customerId, app.id);
    if (changed) {
      await writeEvent(tx, 'consent.updated', customerId, {
        app: app.clientId,
        appName: app.name,
        access: allowed ? 'allowed' : 'withdrawn',
        channel: opts.channel,
      });
    }
    return { ok: true, changed } as const;
  });
}
