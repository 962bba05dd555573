import 'server-only';

import { prisma, type Tx } from '@/server/platform/db';

// docs/decisions/022-recovery-evicts-the-attacker.md: after an email change the
// old address may undo it for 7 days, but only while the account still signs in
// with the address that change set, the window was not closed (by a later change
// or by the customer) and it was not used. Then, and only then, the old address
// also gets the account's security notices. At most one window is open at a time.

export type OpenEmailRevert = { oldEmail: string; newEmail: string; expiresAt: Date };

export const openRevertWhere = () => ({
  revertTokenHash: { not: null },
  revertedAt: null,
  revertClosedAt: null,
  revertExpiresAt: { gt: new Date() },
});

export async function getOpenEmailRevert(customerId: string, db: Tx = prisma): Promise<OpenEmailRevert | null> {
  const customer = await db.user.findUnique({
    where: { id: customerId },
    select: {
      email: true,
      emailChanges: {
        where: openRevertWhere(),
        orderBy: { verifiedAt: 'desc' },
        take: 1,
        select: { oldEmail: true, newEmail: true, revertExpiresAt: true },
      },
    },
  });
  const change = customer?.emailChanges[0];
  if (!change?.revertExpiresAt || change.newEmail !== customer?.email) return null;
  return { oldEmail: change.oldEmail, newEmail: change.newEmail, expiresAt: change.revertExpiresAt };
}
