import 'server-only';

import { createHash } from 'node:crypto';

// The JavaScript twin of the SQL function accord_holdout_bucket (migration
// 20261207174457_personalization): the first 32 bits of sha256('accord-holdout:' || id)
// mod 10 000. The decision asks it once per request without a round trip; the audience
// counts ask SQL. tests/integration/holdout.test.ts keeps them equal.

/** The customer's stable bucket, 0–9999. */
export function holdoutBucket(customerId: string): number {
  // PostgreSQL's uuid::text is lower case.
  const digest = createHash('sha256').update(`accord-holdout:${customerId.toLowerCase()}`, 'utf8').digest();
  return digest.readUInt32BE(0) % 10_000;
}

/** In the brand-wide holdout of `percent` % (0–50): generic content, counted apart. */
export function inHoldout(customerId: string, percent: number): boolean {
  return holdoutBucket(customerId) < percent * 100;
}
