import 'server-only';

import { randomInt } from 'node:crypto';

import { isUuid } from '@/lib/uuid';
import { writeAudit } from '@/server/platform/audit';
import { prisma } from '@/server/platform/db';
import { consume, spendSupportCodeFailure, supportCodeFailurePause } from '@/server/platform/rate-limit';
import type { StaffActor } from '@/server/staff/auth';

import { openCase } from './cases';
import { sessionLabel } from './codes';

// The other handoff (docs/decisions/036-support-console.md): the agent sends a request
// to the customer's open portal session, both screens show the same two digits, and
// the customer approves it (after a fresh authentication when the session is old).

export const VERIFICATION_REQUEST_TTL_MS = 5 * 60 * 1000;

export type SendResult =
  | { ok: true; requestId: string }
  | { ok: false; reason: 'no-session' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/**
 * A request reaches only a customer with an open portal session. An unknown email
 * and a customer without a session answer alike, and both spend one of the agent's
 * hourly failures, as a wrong support code does: the form cannot list customers.
 */
export async function sendVerificationRequest(actor: StaffActor, email: string): Promise<SendResult> {
  const pause = await supportCodeFailurePause(actor.id);
  if (!pause.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: pause.retryAfterSeconds };
  const limit = await consume([['supportRequestPerAgent', actor.id]]);
  if (!limit.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };
  const now = new Date();
  const customer = await prisma.user.findFirst({
    where: { email, sessions: { some: { expires: { gt: now } } } },
    select: { id: true },
  });
  if (!customer) {
    await spendSupportCodeFailure(actor.id);
    return { ok: false, reason: 'no-session' };
  }
  const requestId = await prisma.$transaction(async (tx) => {
    // One pending request per customer: the newest is the one their portal shows.
    await tx.supportVerificationRequest.updateMany({
      where: { customerId: customer.id, status: 'pending' },
      data: { status: 'expired', decidedAt: now },
    });
    const created = await tx.supportVerificationRequest.create({
      data: {
        customerId: customer.id,
        agentId: actor.id,
        number: String(randomInt(10, 100)),
        expiresAt: new Date(now.getTime() + VERIFICATION_REQUEST_TTL_MS),
      },
      select: { id: true },
    });
    await writeAudit(tx, actor.audit, {
      action: 'support.request.send',
      objectId: customer.id,
      customerId: customer.id,
      reason: 'verification request',
      details: { requestId: created.id },
    });
    return created.id;
  });
  return { ok: true, requestId };
}

export type AgentRequestView = {
  id: string;
  number: string;
  status: 'pending' | 'approved' | 'refused' | 'expired';
  expiresAt: Date;
  caseId: string | null;
};

/** The agent's own request, as their waiting page shows it; an elapsed one reads as expired. */
export async function getAgentRequest(actor: StaffActor, requestId: string): Promise<AgentRequestView | null> {
  if (!isUuid(requestId)) return null;
  const row = await prisma.supportVerificationRequest.findFirst({
    where: { id: requestId, agentId: actor.id },
    select: { id: true, number: true, status: true, expiresAt: true, caseId: true },
  });
  if (!row) return null;
  const status = row.status === 'pending' && row.expiresAt <= new Date() ? 'expired' : row.status;
  return { ...row, status: status as AgentRequestView['status'] };
}

/**
 * Opens the case of an approved request, once: the agent's page calls it when it
 * sees the approval, so the case is opened (and audited) by the agent's request.
 */
export async function openCaseFromApprovedRequest(actor: StaffActor, requestId: string): Promise<string | null> {
  if (!isUuid(requestId)) return null;
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<
      Array<{ customer_id: string; case_id: string | null; decided_session_id: string | null }>
    >`SELECT customer_id, case_id, decided_session_id FROM support_verification_requests
       WHERE id = ${requestId}::uuid AND agent_id = ${actor.id}::uuid AND status = 'approved'
       FOR UPDATE`;
    if (!row) return null;
    if (row.case_id) return row.case_id;
    const session = row.decided_session_id
      ? await tx.session.findUnique({ where: { id: row.decided_session_id }, select: { userAgent: true } })
      : null;
    const caseId = await openCase(tx, actor, {
      customerId: row.customer_id,
      method: 'portal-approval',
      sessionId: row.decided_session_id,
      sessionLabel: session ? sessionLabel(session.userAgent) : null,
    });
    await tx.supportVerificationRequest.update({ where: { id: requestId }, data: { caseId } });
    return caseId;
  });
}

export type CustomerRequestView = { id: string; number: string; agentName: string; expiresAt: Date };

/** The pending request the customer's portal shows, if any. */
export async function getPendingRequestForCustomer(customerId: string): Promise<CustomerRequestView | null> {
  const row = await prisma.supportVerificationRequest.findFirst({
    where: { customerId, status: 'pending', expiresAt: { gt: new Date() } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, number: true, expiresAt: true, agent: { select: { displayName: true } } },
  });
  return row ? { id: row.id, number: row.number, expiresAt: row.expiresAt, agentName: row.agent.displayName } : null;
}

/**
 * The customer approves or refuses from a session of theirs. Only a pending,
 * unexpired request of this customer changes; the caller checks step-up first.
 */
export async function decideVerificationRequest(
  customer: { id: string; sessionId: string },
  requestId: string,
  decision: 'approved' | 'refused',
): Promise<boolean> {
  if (!isUuid(requestId)) return false;
  const now = new Date();
  const updated = await prisma.supportVerificationRequest.updateMany({
    where: { id: requestId, customerId: customer.id, status: 'pending', expiresAt: { gt: now } },
    data: { status: decision, decidedAt: now, decidedSessionId: customer.sessionId },
  });
  return updated.count === 1;
}
