import 'server-only';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';

/**
 * What the app cannot run without, applied on every start right after the
 * migrations (scripts/db/prepare.ts): idempotent, and never demo data.
 * Returns one line per change or warning, for the start-up log.
 */
export async function applyReferenceData(): Promise<string[]> {
  const purposes = await ensureConsentPurposes();
  const personalization = await applyPersonalizationReferenceData();
  return [
    ...(purposes.created.length > 0 ? [`created consent purposes: ${purposes.created.join(', ')}`] : []),
    ...purposes.published.map((p) => `published version ${p.version} of consent purpose ${p.key}`),
    ...purposes.warnings.map((w) => `warning: ${w}`),
    ...personalization,
  ];
}
