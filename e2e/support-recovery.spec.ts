import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { prisma } from '../server/platform/db';
import { createStaffMember } from '../tests/factories';
import { expect, test } from './fixtures';

// The customer's side of a recovery through support (docs/support.md §4): the banner on /account
// cancels it from any session, and so does the link in the notice, without a session.

async function heldRecovery(customerId: string) {
  const agent = await createStaffMember({ roles: ['support-agent'] });
  const token = randomBytes(32).toString('base64url');
  const recovery = await prisma.supportRecovery.create({
    data: {
      customerId,
      agentId: agent.id,
      caseId: randomUUID(),
      newEmail: `found-${randomUUID()}@example.test`,
      proofs: ['session-code', 'phone-code'],
      sessionProvedAt: new Date(),
      phoneProvedAt: new Date(),
      status: 'held',
      holdUntil: new Date(Date.now() + 24 * 3_600_000),
      cancelTokenHash: createHash('sha256').update(token).digest('hex'),
    },
    select: { id: true },
  });
  return { id: recovery.id, token };
}

const statusOf = async (id: string) =>
  await prisma.supportRecovery.findUniqueOrThrow({ where: { id }, select: { status: true, cancelledBy: true } });

test('a signed-in session cancels a recovery in its hold from the banner on /account', async ({
  signedInPage: page,
  customer,
}) => {
  const recovery = await heldRecovery(customer.id);
  await page.goto('/account');
  const banner = page.getByRole('region', { name: 'Your account is being recovered through support' });
  await expect(banner).toBeVisible();
  await banner.getByRole('button', { name: 'Cancel the recovery' }).click();
  await expect(page.getByRole('status')).toContainText('The recovery was cancelled');
  await expect(banner).toHaveCount(0);
  expect(await statusOf(recovery.id)).toEqual({ status: 'cancelled', cancelledBy: 'customer-session' });
});

test("the notice's link cancels it without a session, once", async ({ page, createCustomer }) => {
  const customer = await createCustomer();
  const recovery = await heldRecovery(customer.id);
  await page.goto(`/recovery/cancel?token=${recovery.token}`);
  // Opening the link changes nothing (mail scanners open links).
  expect((await statusOf(recovery.id)).status).toBe('held');
  await page.getByRole('button', { name: 'Cancel the recovery' }).click();
  await expect(page.getByRole('heading', { name: 'The recovery is cancelled' })).toBeVisible();
  expect(await statusOf(recovery.id)).toEqual({ status: 'cancelled', cancelledBy: 'notice-link' });
  await page.goto(`/recovery/cancel?token=${recovery.token}`);
  await expect(page.getByRole('heading', { name: 'Nothing to cancel' })).toBeVisible();
});
