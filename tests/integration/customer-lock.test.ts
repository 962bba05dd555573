// withCustomerLock (server/platform/customer-lock.ts): the one row lock every
// writer of a customer's data takes, on which "a withdrawal wins" rests.
import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { withCustomerLock } from '@/server/platform/customer-lock';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withCustomerLock', () => {
  it('serialises two writers of one customer: the second reads what the first committed', async () => {
    const customer = await createCustomer({ email: uniqueEmail('lock') });
    const { version } = await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { version: true } });

    // A read-modify-write that takes its time between the read and the write:
    // without the lock, both would read the same version and one bump would be lost.
    const bump = () =>
      withCustomerLock(customer.id, async (tx, locked) => {
        await pause(300);
        await tx.user.update({
          where: { id: customer.id },
          data: { version: locked!.version + 1 },
          select: { id: true },
        });
        return locked!.version;
      });
    const seen = await Promise.all([bump(), bump()]);

    expect(seen.sort((a, b) => a - b)).toEqual([version, version + 1]);
    const after = await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { version: true } });
    expect(after.version).toBe(version + 2);
  });

  it('gives the locked row to the writer, and null for a customer that does not exist', async () => {
    const customer = await createCustomer({ email: uniqueEmail('lock') });
    expect(await withCustomerLock(customer.id, async (_tx, locked) => locked)).toEqual({
      id: customer.id,
      email: customer.email,
      version: expect.any(Number),
    });
    expect(await withCustomerLock(randomUUID(), async (_tx, locked) => locked)).toBeNull();
  });

  it('rolls the writer’s changes back when it fails', async () => {
    const customer = await createCustomer({ email: uniqueEmail('lock'), firstName: 'Ana' });
    await expect(
      withCustomerLock(customer.id, async (tx) => {
        await tx.user.update({ where: { id: customer.id }, data: { firstName: 'Eve' }, select: { id: true } });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const stored = await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { firstName: true } });
    expect(stored.firstName).toBe('Ana');
  });
});
