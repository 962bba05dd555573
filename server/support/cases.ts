// CONTRACT STUB (owner: sup-core). Replace the bodies, keep the signatures;
// see /work/tools/prompts/support-contract.md.
import 'server-only';

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

/**
 * The case an action or reveal belongs to: found, open and the acting agent's own.
 * Every support server action calls it first (after requirePermission) and refuses
 * with forbidden() (403) unless ok. Reads only; writes nothing.
 */
export async function requireOpenCase(actor: StaffActor, caseId: string): Promise<CaseAccess> {
  void actor;
  void caseId;
  throw new Error('not built yet');
}
