import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { holdoutBucket, inHoldout } from '@/server/personalization/holdout';
import { prisma } from '@/server/platform/db';

describe('the holdout bucket', () => {
  it('equals accord_holdout_bucket on 1 000 ids', async () => {
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    const rows = await prisma.$queryRaw<Array<{ id: string; bucket: number }>>`
      SELECT id::text AS id, accord_holdout_bucket(id) AS bucket FROM unnest(${ids}::uuid[]) AS id`;
    const sql = new Map(rows.map((r) => [r.id, r.bucket]));
    const mismatches = ids.filter((id) => holdoutBucket(id) !== sql.get(id));
    expect(mismatches).toEqual([]);
    // Spread over the whole range (the high bit included: a signed cast would give negatives).
    const buckets = ids.map(holdoutBucket);
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(10_000);
    expect(new Set(buckets).size).toBeGreaterThan(900);
  });

  it('reads upper-case ids as PostgreSQL does', () => {
    const id = randomUUID();
    expect(holdoutBucket(id.toUpperCase())).toBe(holdoutBucket(id));
  });

  it('puts about the given percentage in the holdout, none at 0 %', () => {
    const ids = Array.from({ length: 4000 }, () => randomUUID());
    expect(ids.filter((id) => inHoldout(id, 0))).toEqual([]);
    const share = ids.filter((id) => inHoldout(id, 20)).length / ids.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });
});
