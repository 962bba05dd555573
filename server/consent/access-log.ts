import 'server-only';

import { prisma, type Tx } from '@/server/platform/db';

// "Who looked at my data": every read of a customer's data by someone other
// than the customer. docs/decisions/013-data-access-log.md

export type DataAccessor =
  | { type: 'app'; /** the app's client id */ id: string; /** shown to the customer */ name: string }
  | { type: 'staff'; /** the staff member's id */ id: string; name: string };

export type DataAccess = {
  customerId: string;
  accessor: DataAccessor;
  /** The attributes read (profile attribute names, "consents", "sessions"…). */
  fields: string[];
  /** The consent purpose key, or the documented reason code, the read was allowed for. */
  purpose: string;
  /** Free text the accessor gave (a support ticket reference…). */
  reason?: string;
};

/**
 * The one function that writes the access log. The consent-and-access policy
 * calls it for every read by an app or a staff member, in the transaction of
 * the read (pass `tx`), so a read that returns data is never missing from the
 * log. One statement for any number of customers (a list read).
 */
export async function recordDataAccess(db: Tx, accesses: DataAccess[]): Promise<void> {
  if (accesses.length === 0) return;
  await db.dataAccessLog.createMany({
    data: accesses.map((a) => ({
      customerId: a.customerId,
      accessorType: a.accessor.type,
      accessorId: a.accessor.id.slice(0, 128),
      accessorName: a.accessor.name.slice(0, 200),
      fields: [...new Set(a.fields)].sort(),
      purpose: a.purpose.slice(0, 64),
      reason: a.reason?.slice(0, 500) ?? null,
    })),
  });
}

export type DataAccessEntry = {
  id: string;
  accessorType: string;
  accessorName: string;
  fields: string[];
  purpose: string;
  reason: string | null;
  occurredAt: Date;
};

/** What the customer sees, newest first. */
export async function listDataAccess(customerId: string, take = 50): Promise<DataAccessEntry[]> {
  const rows = await prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'desc' },
    take,
    select: {
      id: true,
      accessorType: true,
      accessorName: true,
      fields: true,
      purpose: true,
      reason: true,
      occurredAt: true,
    },
  });
  return rows.map((r) => ({ ...r, id: r.id.toString() }));
}
