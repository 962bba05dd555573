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

/**
 * getOpenEmailRevert's answer as a column of a statement `FROM customers c`
 * (openRevertWhere in SQL): the open window's old address and end, as JSON, or
 * null.
 */
export const OPEN_REVERT_COLUMN = `
  (SELECT json_build_object('oldEmail', r.old_email, 'newEmail', r.new_email,
                            'expiresAt', r.revert_expires_at AT TIME ZONE 'UTC')
     FROM (SELECT old_email, new_email, revert_expires_at FROM email_change_requests
            WHERE customer_id = c.id AND revert_token_hash IS NOT NULL AND reverted_at IS NULL
              AND revert_closed_at IS NULL AND revert_expires_at > now()
            ORDER BY verified_at DESC LIMIT 1) r
    WHERE r.new_email = c.email)`;

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
