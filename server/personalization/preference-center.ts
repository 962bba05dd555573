import 'server-only';

import type { Locale } from '@/lib/i18n/config';
import { prisma } from '@/server/platform/db';

// What the preference center (app/account/preferences) shows beside the customer's own
// values: the pickers' reference data and whether the personalization grant is in effect.

export type CategoryOption = { key: string; label: string; retired: boolean };
export type StoreOption = { key: string; label: string; retired: boolean };

/** Categories and stores in their declared order; retired ones stay listed (values keep them), flagged. */
export async function getPreferenceOptions(
  locale: Locale,
): Promise<{ categories: CategoryOption[]; stores: StoreOption[] }> {
  const [categories, stores] = await Promise.all([
    prisma.category.findMany({
      orderBy: { sortOrder: 'asc' },
      select: { key: true, labelEn: true, labelFr: true, retiredAt: true },
    }),
    prisma.store.findMany({
      orderBy: { sortOrder: 'asc' },
      select: { key: true, name: true, city: true, retiredAt: true },
    }),
  ]);
  return {
    categories: categories.map((c) => ({
      key: c.key,
      label: locale === 'fr' ? c.labelFr : c.labelEn,
      retired: c.retiredAt !== null,
    })),
    stores: stores.map((s) => ({ key: s.key, label: `${s.name} (${s.city})`, retired: s.retiredAt !== null })),
  };
}

/** True while the customer's latest answer for `personalization` is a grant, whatever its text version (ADR 012). */
export async function hasPersonalizationGrant(customerId: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ granted: boolean }>>`
    SELECT granted FROM accord_current_consents(${customerId}::uuid) WHERE purpose_key = 'personalization'`;
  return rows[0]?.granted === true;
}
