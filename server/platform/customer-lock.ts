import 'server-only';

import { prisma, type Tx } from './db';

/** The customer's row as the lock read it. */
export type LockedCustomer = { id: string; email: string; version: number };

/**
 * Runs `fn` in a transaction that holds the customer's row lock (SELECT … FOR
 * UPDATE) from its first statement: every writer of a customer's data queues
 * here, so a change of consent or a withdrawal of an app's access committed
 * before a write decides is the one it sees ("a withdrawal wins"), and checks
 * made in `fn` (the version, the last way to sign in) hold until it commits.
 * `customer` is null when there is no such customer; `fn` decides what that means.
 */
export async function withCustomerLock<T>(
  customerId: string,
  fn: (tx: Tx, customer: LockedCustomer | null) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      const [customer] = await tx.$queryRaw<
        LockedCustomer[]
      >`SELECT id, email, version FROM customers WHERE id = ${customerId}::uuid FOR UPDATE`;
      return fn(tx, customer ?? null);
    },
    // Writers queue on the lock: give them time rather than fail.
    { maxWait: 20_000, timeout: 20_000 },
  );
}
