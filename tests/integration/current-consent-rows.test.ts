// accord_current_consent_rows (migration 20261207180300_current_consent_rows): the set-wise
// consent state, and accord_current_consents still answering one customer from the receipts index.
import { describe, expect, it } from 'vitest';

import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { answerPersonalization, DAY } from './personalization-data';

describe('accord_current_consent_rows', () => {
  it('holds the latest answer per customer and purpose, as accord_current_consents does', async () => {
    const c = await createCustomer({ email: uniqueEmail('rows') });
    await answerPersonalization(c.id, true, new Date(Date.now() - 2 * DAY));
    await answerPersonalization(c.id, false, new Date(Date.now() - DAY));
    const rows = await prisma.$queryRaw<Array<{ purpose_key: string; granted: boolean }>>`
      SELECT purpose_key, granted FROM accord_current_consent_rows WHERE customer_id = ${c.id}::uuid ORDER BY purpose_key`;
    expect(rows).toEqual([
      { purpose_key: 'personalization', granted: false },
      { purpose_key: 'terms-of-service', granted: true },
    ]);
    const one = await prisma.$queryRaw<Array<{ purpose_key: string; granted: boolean }>>`
      SELECT purpose_key, granted FROM accord_current_consents(${c.id}::uuid) ORDER BY purpose_key`;
    expect(one).toEqual(rows);
  });

  it("reads one customer's answers through the receipts index", async () => {
    const c = await createCustomer({ email: uniqueEmail('rows') });
    // The test database is small: without this the planner scans it whole, whatever the query.
    const plan = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
        `EXPLAIN (COSTS OFF) SELECT * FROM accord_current_consents('${c.id}'::uuid)`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
      /Index (Only )?Scan using consent_receipts_customer_id_purpose_key_created_at_idx on consent_receipts r\s+Index Cond: \(.*customer_id = '/,
    );
  });
});
