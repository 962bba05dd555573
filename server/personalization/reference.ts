import 'server-only';

import { prisma } from '@/server/platform/db';

// Categories and stores: reference data of the release, applied on every start
// (server/reference-data.ts), like the consent purposes (ADR 021). A key no
// longer declared is retired (values keep it, pickers hide it), never deleted:
// preferences and signals point at it.

export type DeclaredCategory = { key: string; parent: string | null; en: string; fr: string };
export type DeclaredStore = { key: string; name: string; city: string; country: string };

export const CATEGORIES: readonly DeclaredCategory[] = [
  { key: 'running', parent: null, en: 'Running', fr: 'Course à pied' },
  { key: 'trail', parent: 'running', en: 'Trail running', fr: 'Trail' },
  { key: 'hiking', parent: null, en: 'Hiking', fr: 'Randonnée' },
  { key: 'cycling', parent: null, en: 'Cycling', fr: 'Vélo' },
  { key: 'swimming', parent: null, en: 'Swimming', fr: 'Natation' },
  { key: 'yoga', parent: null, en: 'Yoga', fr: 'Yoga' },
  { key: 'tennis', parent: null, en: 'Tennis', fr: 'Tennis' },
  { key: 'outdoor', parent: null, en: 'Outdoor and camping', fr: 'Plein air et camping' },
  { key: 'kids', parent: null, en: 'Kids', fr: 'Enfants' },
  { key: 'nutrition', parent: null, en: 'Sports nutrition', fr: 'Nutrition sportive' },
];

export const STORES: readonly DeclaredStore[] = [
  { key: 'paris-rivoli', name: 'Paris Rivoli', city: 'Paris', country: 'FR' },
  { key: 'lyon-part-dieu', name: 'Lyon Part-Dieu', city: 'Lyon', country: 'FR' },
  { key: 'bordeaux-lac', name: 'Bordeaux Lac', city: 'Bordeaux', country: 'FR' },
  { key: 'brussels-louise', name: 'Bruxelles Louise', city: 'Brussels', country: 'BE' },
  { key: 'montreal-centre', name: 'Montréal Centre', city: 'Montréal', country: 'CA' },
];

const APPLY_LOCK = 0x61636372; // "accr"

/** Brings categories and stores in line with the declaration, idempotently. */
export async function applyPersonalizationReferenceData(
  categories: readonly DeclaredCategory[] = CATEGORIES,
  stores: readonly DeclaredStore[] = STORES,
): Promise<string[]> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPLY_LOCK})`;
    const changes: string[] = [];

    const existingCategories = new Map((await tx.category.findMany()).map((c) => [c.key, c]));
    let changedCategories = 0;
    for (const [sortOrder, c] of categories.entries()) {
      const row = { parentKey: c.parent, labelEn: c.en, labelFr: c.fr, sortOrder, retiredAt: null };
      const old = existingCategories.get(c.key);
      if (old && Object.entries(row).every(([k, v]) => old[k as keyof typeof row] === v)) continue;
      await tx.category.upsert({ where: { key: c.key }, create: { key: c.key, ...row }, update: row });
      changedCategories++;
    }
    const retiredCategories = await tx.category.updateMany({
      where: { retiredAt: null, key: { notIn: categories.map((c) => c.key) } },
      data: { retiredAt: new Date() },
    });

    const existingStores = new Map((await tx.store.findMany()).map((s) => [s.key, s]));
    let changedStores = 0;
    for (const [sortOrder, s] of stores.entries()) {
      const row = { name: s.name, city: s.city, country: s.country, sortOrder, retiredAt: null };
      const old = existingStores.get(s.key);
      if (old && Object.entries(row).every(([k, v]) => old[k as keyof typeof row] === v)) continue;
      await tx.store.upsert({ where: { key: s.key }, create: { key: s.key, ...row }, update: row });
      changedStores++;
    }
    const retiredStores = await tx.store.updateMany({
      where: { retiredAt: null, key: { notIn: stores.map((s) => s.key) } },
      data: { retiredAt: new Date() },
    });

    if (changedCategories > 0) changes.push(`categories created or updated: ${changedCategories}`);
    if (retiredCategories.count > 0) changes.push(`categories retired: ${retiredCategories.count}`);
    if (changedStores > 0) changes.push(`stores created or updated: ${changedStores}`);
    if (retiredStores.count > 0) changes.push(`stores retired: ${retiredStores.count}`);
    return changes;
  });
}
