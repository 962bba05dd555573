import 'server-only';

import { isUuid } from '@/lib/uuid';
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

/**
 * The case an action or reveal belongs to: found, open and the acting agent's own.
 * Every support server action calls it first (after requirePermission) and refuses
 * with forbidden() (403) unless ok. Reads only; writes nothing.
 */
export async function requireOpenCase(actor: StaffActor, caseId: string): Promise<CaseAccess> {
  if (!isUuid(caseId)) return { ok: false, reason: 'not-found' };
  const row = await prisma.supportCase.findUnique({ where: { id: caseId }, select: caseSelect });
  if (!row) return { ok: false, reason: 'not-found' };
  if (row.agentId !== actor.id) return { ok: false, reason: 'not-yours' };
  if (row.closedAt) return { ok: false, reason: 'closed' };
  return { ok: true, supportCase: await toSupportCase(prisma, row) };
}

/** A case of this agent, open or closed (a closed one is shown read-only); null otherwise. */
export async function getAgentCase(actor: StaffActor, caseId: string): Promise<SupportCase | null> {
  if (!isUuid(caseId)) return null;
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

/** A note on the agent's own open case, with its audit row; false when the case is not theirs or closed. */
export async function addCaseNote(actor: StaffActor, caseId: string, body: string): Promise<boolean> {
  const access = await requireOpenCase(actor, caseId);
  if (!access.ok) return false;
  const { customerId } = access.supportCase;
  return prisma.$transaction(async (tx) => {
    // Re-checked inside the transaction: a close that won the race keeps the case's history final.
    const open = await tx.supportCase.count({ where: { id: caseId, agentId: actor.id, closedAt: null } });
    if (!open) return false;
    await tx.supportCaseNote.create({ data: { caseId, authorId: actor.id, body } });
    await writeAudit(tx, actor.audit, {
      action: 'support.case.note',
      objectId: customerId,
      customerId,
      reason: `case ${shortCaseId(caseId)}`,
      details: { caseId },
    });
    return true;
  });
}

/** Closes the agent's own open case; reveals and actions of the case end with it. */
export async function closeCase(actor: StaffActor, caseId: string): Promise<boolean> {
  if (!isUuid(caseId)) return false;
  return prisma.$transaction(async (tx) => {
    const closed = await tx.supportCase.updateManyAndReturn({
      where: { id: caseId, agentId: actor.id, closedAt: null },
      data: { closedAt: new Date(), version: { increment: 1 } },
      select: { customerId: true },
    });
    const row = closed[0];
    if (!row) return false;
    await writeAudit(tx, actor.audit, {
      action: 'support.case.close',
      objectId: row.customerId,
      customerId: row.customerId,
      reason: `case ${shortCaseId(caseId)}`,
      details: { caseId },
    });
    return true;
  });
}

export type CaseNote = { id: string; body: string; authorName: string; createdAt: Date };

export async function listCaseNotes(caseId: string): Promise<CaseNote[]> {
  const rows = await prisma.supportCaseNote.findMany({
    where: { caseId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, body: true, createdAt: true, author: { select: { displayName: true } } },
  });
  return rows.map((row) => ({
    id: String(row.id),
    body: row.body,
    createdAt: row.createdAt,
    authorName: row.author.displayName,
  }));
}

export type CaseListItem = { id: string; openedAt: Date; closedAt: Date | null; method: VerificationMethod };

/** The agent's open cases, newest first, and their last few closed ones. Names no customer: the case page does. */
export async function listAgentCases(actor: StaffActor): Promise<{ open: CaseListItem[]; closed: CaseListItem[] }> {
  const select = { id: true, openedAt: true, closedAt: true, verificationMethod: true } as const;
  const [open, closed] = await Promise.all([
    prisma.supportCase.findMany({
      where: { agentId: actor.id, closedAt: null },
      orderBy: { openedAt: 'desc' },
      take: 50,
      select,
    }),
    prisma.supportCase.findMany({
      where: { agentId: actor.id, closedAt: { not: null } },
      orderBy: { closedAt: 'desc' },
      take: 10,
      select,
    }),
  ]);
  const item = (row: (typeof open)[number]): CaseListItem => ({
    id: row.id,
    openedAt: row.openedAt,
    closedAt: row.closedAt,
    method: row.verificationMethod as VerificationMethod,
  });
  return { open: open.map(item), closed: closed.map(item) };
}
