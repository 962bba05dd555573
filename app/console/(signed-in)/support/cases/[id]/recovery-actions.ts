'use server';

import { revalidatePath } from 'next/cache';
import { forbidden } from 'next/navigation';

import { fieldErrorsFrom, type ActionResult } from '@/lib/action-result';
import { isUuid } from '@/lib/uuid';
import { RecoveryCodeSchema, RecoveryProofSchema, StartRecoverySchema } from '@/lib/validation/support-recovery';
import { requirePermission } from '@/server/staff/auth';
import { requireOpenCase } from '@/server/support/cases';
import {
  cancelRecoveryByAgent,
  proveRecovery,
  sendPhoneCode,
  startRecovery,
  type RecoveryAgent,
} from '@/server/support/recovery';

const ERRORS = 'console.support.recovery.errors';

/** Permission, then the agent's own open case (403 otherwise, nothing written): its customer is the only one acted on. */
async function recoveryAgent(caseId: unknown): Promise<RecoveryAgent & { path: string }> {
  const actor = await requirePermission('support.recovery');
  if (typeof caseId !== 'string' || !isUuid(caseId)) forbidden();
  const access = await requireOpenCase(actor, caseId);
  if (!access.ok) forbidden();
  return {
    actor: actor.audit,
    agentId: actor.id,
    caseId,
    customerId: access.supportCase.customerId,
    path: `/console/support/cases/${caseId}`,
  };
}

export async function startRecoveryAction(caseId: unknown, input: unknown): Promise<ActionResult> {
  const agent = await recoveryAgent(caseId);
  const parsed = StartRecoverySchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await startRecovery(agent, parsed.data.newEmail);
  if (!result.ok)
    return result.reason === 'invalid-email' || result.reason === 'same-address' || result.reason === 'address-taken'
      ? { ok: false, fieldErrors: { newEmail: `${ERRORS}.${result.reason}` } }
      : { ok: false, message: `${ERRORS}.${result.reason}` };
  revalidatePath(agent.path);
  return { ok: true };
}

export async function sendRecoveryCodeAction(caseId: unknown, recoveryId: unknown): Promise<ActionResult> {
  const agent = await recoveryAgent(caseId);
  if (typeof recoveryId !== 'string') return { ok: false, message: `${ERRORS}.not-found` };
  const result = await sendPhoneCode(agent, recoveryId);
  if (!result.ok) return { ok: false, message: `${ERRORS}.${result.reason}` };
  revalidatePath(agent.path);
  return { ok: true };
}

export async function proveRecoveryAction(
  caseId: unknown,
  recoveryId: unknown,
  proof: unknown,
  input: unknown,
): Promise<ActionResult> {
  const agent = await recoveryAgent(caseId);
  const parsedProof = RecoveryProofSchema.safeParse(proof);
  if (typeof recoveryId !== 'string' || !parsedProof.success) return { ok: false, message: `${ERRORS}.not-found` };
  const parsed = RecoveryCodeSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsFrom(parsed.error.issues) };
  const result = await proveRecovery(agent, recoveryId, parsedProof.data, parsed.data.code);
  revalidatePath(agent.path);
  if (result.ok) return { ok: true };
  if (result.reason === 'wrong-code')
    return {
      ok: false,
      fieldErrors: { code: `${ERRORS}.wrong-code` },
      values: { attemptsLeft: result.attemptsLeft },
    };
  return { ok: false, message: `${ERRORS}.${result.reason}` };
}

export async function cancelRecoveryAction(caseId: unknown): Promise<ActionResult> {
  const agent = await recoveryAgent(caseId);
  const result = await cancelRecoveryByAgent(agent);
  revalidatePath(agent.path);
  return result.ok ? { ok: true } : { ok: false, message: `${ERRORS}.not-found` };
}
