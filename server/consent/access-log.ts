import 'server-only';

import { prisma, type Tx } from '@/server/platform/db';

// "Who looked at my data": every read of a customer's data by someone other
// than the customer. docs/decisions/013-data-access-log.md

export type DataAccessor =
  | { type: 'app'; /** the app's client id */ id: string; /** shown to the customer */ name: string }
  | { type: 'staff'; /** the staff member's id */ id: string; name: string }
  /** The site's own content decisions (id 'portal'): docs/decisions/035-personalization.md */
  | { type: 'personalization'; id: string; name: string };

export type DataAccess = {
  customerId: string;
  accessor: DataAccessor;
  /** The attributes read (profile attribute names, "consents", "sessions"…). */
  fields: string[];
  /**
   * The consent purpose key, or the documented reason code, the read was
   * allowed for; several (one per field read) are logged comma-joined.
   */
  purpose: string | string[];
  /** Free text the accessor gave (a support ticket reference…). */
  reason?: string;
};

/**
 * Writes reads to the access log, in the transaction of the read (pass `tx`),
 * so a read that returns data is never missing from the log. One statement
 * for any number of customers (a list read). The log's one writer is the SQL
 * function accord_record_access (migration
 * 20261207090000_one_access_log_writer): the policy's reads and the database
 * views call it too, so every path logs the same way.
 */
export async function recordDataAccess(db: Tx, accesses: DataAccess[]): Promise<void> {
  if (accesses.length === 0) return;
  const rows = accesses.map((a) => ({
    customer_id: a.customerId,
    accessor_type: a.accessor.type,
    accessor_id: a.accessor.id,
    accessor_name: a.accessor.name,
    fields: a.fields,
    purposes: typeof a.purpose === 'string' ? [a.purpose] : a.purpose,
    reason: a.reason ?? null,
  }));
  await db.$queryRaw`
    SELECT accord_record_access(ARRAY(SELECT jsonb_populate_recordset(NULL::accord_data_access, ${JSON.stringify(rows)}::jsonb)))`;
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
