import { afterEach, describe, expect, it } from 'vitest';

import { getPool, prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const originalTz = process.env.TZ;

describe('timestamps', () => {
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  it('reads the UTC instants Prisma stores as the same instants through the pg pool, whatever the process time zone', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const { createdAt } = await prisma.user.findUniqueOrThrow({
      where: { id: customer.id },
      select: { createdAt: true },
    });
    process.env.TZ = 'America/New_York';
    const { rows } = await getPool().query<{ created_at: Date }>('SELECT created_at FROM customers WHERE id = $1', [
      customer.id,
    ]);
    expect(rows[0]!.created_at.toISOString()).toBe(createdAt.toISOString());
    // And a column filled by the database's own DEFAULT CURRENT_TIMESTAMP is UTC too.
    const now = await getPool().query<{ t: Date }>('SELECT LOCALTIMESTAMP AS t');
    expect(Math.abs(now.rows[0]!.t.getTime() - Date.now())).toBeLessThan(60_000);
  });
});
