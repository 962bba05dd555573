import 'server-only';

import { writeAudit } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';
import type { StaffActor } from '@/server/staff/auth';

export type VerificationMethod = 'support-code' | 'portal-approval';

/** A support case: opened by a verification of the caller, closed by its agent. */
export type SupportCase = {
  id: string;
  customerId: string;
  agentId: string;
  openedAt: Date;
  closedAt: Date | null;
  verification: {
    method: VerificationMethod;
    verifiedAt: Date;
    /** The verified portal session's device ("Chrome on macOS"), null when it has ended since. */
    sessionLabel: string | null;
  };
};

export type CaseAccess =
  { ok: true; supportCase: SupportCase } | { ok: false; reason: 'not-found' | 'closed' | 'not-yours' };

const caseSelect = {
  id: true,
  customerId: true,
  agentId: true,
  openedAt: true,
  closedAt: true,
  verificationMethod: true,
  verifiedAt: true,
  verifiedSessionId: true,
  verifiedSessionLabel: true,
} as const;

type CaseRow = {
  id: string;
  customerId: string;
  agentId: string;
  openedAt: Date;
  closedAt: Date | null;
  verificationMethod: string;
  verifiedAt: Date;
  verifiedSessionId: string | null;
  verifiedSessionLabel: string | null;
};

async function toSupportCase(db: Tx | typeof prisma, row: CaseRow): Promise<SupportCase> {
  // The label names a device the customer may since have signed out of: say so by dropping it.
  const live =
    row.verifiedSessionId &&
    (await db.session.count({ where: { id: row.verifiedSessionId, expires: { gt: new Date() } } }));
  return {
    id: row.id,
    customerId: row.customerId,
    agentId: row.agentId,
    openedAt: row.openedAt,
    closedAt: row.closedAt,
    verification: {
      method: row.verificationMethod as VerificationMethod,
      verifiedAt: row.verifiedAt,
      sessionLabel: live ? row.verifiedSessionLabel : null,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The case an action or reveal belongs to: found, open and the acting agent's own.
 * Every support server action calls it first (after requirePermission) and refuses
 * with forbidden() (403) unless ok. Reads only; writes nothing.
 */
export async function requireOpenCase(actor: StaffActor, caseId: string): Promise<CaseAccess> {
  if (!UUID.test(caseId)) return { ok: false, reason: 'not-found' };
  const row = await prisma.supportCase.findUnique({ where: { id: caseId }, select: caseSelect });
  if (!row) return { ok: false, reason: 'not-found' };
  if (row.agentId !== actor.id) return { ok: false, reason: 'not-yours' };
  if (row.closedAt) return { ok: false, reason: 'closed' };
  return { ok: true, supportCase: await toSupportCase(prisma, row) };
}

/** A case of this agent, open or closed (a closed one is shown read-only); null otherwise. */
export async function getAgentCase(actor: StaffActor, caseId: string): Promise<SupportCase | null> {
  if (!UUID.test(caseId)) return null;
  const row = await prisma.supportCase.findFirst({ where: { id: caseId, agentId: actor.id }, select: caseSelect });
  return row ? toSupportCase(prisma, row) : null;
}

/** Opens a case in the verification's transaction, with its audit row. */
export async function openCase(
  tx: Tx,
  actor: StaffActor,
  input: {
    customerId: string;
    method: VerificationMethod;
    sessionId: string | null;
    sessionLabel: string | null;
  },
): Promise<string> {
  const now = new Date();
  const created = await tx.supportCase.create({
    data: {
      customerId: input.customerId,
      agentId: actor.id,
      verificationMethod: input.method,
      verifiedAt: now,
      openedAt: now,
      verifiedSessionId: input.sessionId,
      verifiedSessionLabel: input.sessionLabel?.slice(0, 200) ?? null,
    },
    select: { id: true },
  });
  await writeAudit(tx, actor.audit, {
    action: 'support.case.open',
    objectId: input.customerId,
    customerId: input.customerId,
    reason: `case ${shortCaseId(created.id)}`,
    details: { caseId: created.id, method: input.method },
  });
  return created.id;
}

export function shortCaseId(id: string): string {
  return id.slice(0, 8);
}
