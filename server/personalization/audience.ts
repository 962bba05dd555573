import 'server-only';

// CONTRACT STUB (owner: rules engineer). docs/decisions/035-personalization.md §3
import type { Rule } from '@/lib/personalization/catalogue';

import type { Segments } from './evaluate';

export type AudienceEstimate = {
  /** Customers in the store. */
  population: number;
  /** Of them, those whose personalization grant is in effect (only they are evaluated). */
  granted: number;
  /** Of those, the ones the rule matches. */
  matching: number;
  /** Of those, the ones outside the holdout: who will see it. */
  reachable: number;
  /** Up to 5 random matching customers, masked; the token opens a preview (10 min). */
  sample: Array<{ token: string; maskedEmail: string }>;
};

export async function countAudience(
  rule: Rule,
  segments: Segments,
  options: { now?: Date } = {},
): Promise<AudienceEstimate> {
  throw new Error(`not built yet: countAudience(${JSON.stringify(rule)}, ${Object.keys(segments)}, ${options.now})`);
}

/** The customer id a sample token stands for, or null (forged, expired). */
export function resolveSampleToken(token: string): string | null {
  throw new Error(`not built yet: resolveSampleToken(${token})`);
}
