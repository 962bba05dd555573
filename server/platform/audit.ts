import 'server-only';

import { subjectPseudonym } from './crypto';
import type { Tx } from './db';

// The audit trail of staff (and CLI) actions: one writer, in the action's own
// transaction, so an action exists if and only if its audit row does.
// The table is append-only in PostgreSQL (migration `…_staff_console`,
// docs/decisions/033-staff-console.md): nothing here can change a row once written.

/** Who acted: a signed-in staff member (with the request id), or a command line on the server. */
export type AuditActor =
  { type: 'staff'; staffId: string; label: string; requestId: string } | { type: 'cli'; label: string };

export type AuditObjectType = 'staff' | 'app' | 'customer' | 'audit' | 'content';

type ActionSpec = { object: AuditObjectType | null; reasonRequired: boolean };

/**
 * Every action the trail knows. The console's audit page offers these as its
 * filter and labels them from messages (`console.audit.actions`).
 */
export const AUDIT_ACTIONS = {
  'staff.sign-in': { object: 'staff', reasonRequired: false },
  'staff.sign-out': { object: 'staff', reasonRequired: false },
  'staff.invite': { object: 'staff', reasonRequired: false },
  'staff.passkey.enrol': { object: 'staff', reasonRequired: false },
  'staff.passkey.remove': { object: 'staff', reasonRequired: false },
  'staff.roles.change': { object: 'staff', reasonRequired: false },
  'staff.disable': { object: 'staff', reasonRequired: false },
  'staff.enable': { object: 'staff', reasonRequired: false },
  /** A member asked for a page, action or route their roles do not allow. */
  'access.denied': { object: null, reasonRequired: false },
  'app.create': { object: 'app', reasonRequired: false },
  'app.secret.rotate': { object: 'app', reasonRequired: false },
  'app.webhook-secret.rotate': { object: 'app', reasonRequired: false },
  'app.disable': { object: 'app', reasonRequired: false },
  'app.enable': { object: 'app', reasonRequired: false },
  'app.db-role.grant': { object: 'app', reasonRequired: false },
  'app.db-role.revoke': { object: 'app', reasonRequired: false },
  'app.deliveries.redrive': { object: 'app', reasonRequired: false },
  'app.sign-in.update': { object: 'app', reasonRequired: false },
  'audit.export': { object: 'audit', reasonRequired: false },
  /** The privacy officer read all staff access to one customer (page or CSV). */
  'audit.customer-access': { object: 'customer', reasonRequired: true },
  'customer.find': { object: 'customer', reasonRequired: true },
  'customer.view': { object: 'customer', reasonRequired: true },
  'customer.export': { object: 'customer', reasonRequired: true },
  'customer.erase': { object: 'customer', reasonRequired: true },
  // Personalized content (docs/decisions/035-personalization.md §6); objectId is the content object's id.
  'content.revision.create': { object: 'content', reasonRequired: false },
  'content.image.upload': { object: 'content', reasonRequired: false },
  'content.publish.request': { object: 'content', reasonRequired: false },
  'content.publish': { object: 'content', reasonRequired: false },
  'content.publish.approve': { object: 'content', reasonRequired: false },
  'content.publish.reject': { object: 'content', reasonRequired: false },
  'content.unpublish': { object: 'content', reasonRequired: false },
  'content.revert': { object: 'content', reasonRequired: false },
  'content.import': { object: 'content', reasonRequired: false },
  /** A marketer previewed the home page as a customer: a staff read of their data. */
  'content.preview': { object: 'customer', reasonRequired: true },
  // What an agent does in a case at the customer's request (docs/decisions/036-support-console.md); the reason names the case.
  'support.action.resend-email-change': { object: 'customer', reasonRequired: true },
  'support.action.end-sessions': { object: 'customer', reasonRequired: true },
  'support.action.fix-address': { object: 'customer', reasonRequired: true },
  'support.action.start-email-change': { object: 'customer', reasonRequired: true },
  'support.action.record-consent': { object: 'customer', reasonRequired: true },
  // Account recovery through support (server/support/recovery.ts): objectId is the customer's id, details.recoveryId the recovery.
  'support.recovery.start': { object: 'customer', reasonRequired: false },
  'support.recovery.proof': { object: 'customer', reasonRequired: false },
  'support.recovery.cancel': { object: 'customer', reasonRequired: false },
  // Support (docs/decisions/036-support-console.md): objectId is the customer's id, details.caseId the case.
  'support.code.verify': { object: 'customer', reasonRequired: true },
  /** A wrong support code for a customer named by the agent (or an unknown email: objectId null). */
  'support.code.fail': { object: null, reasonRequired: false },
  'support.request.send': { object: 'customer', reasonRequired: true },
  'support.case.open': { object: 'customer', reasonRequired: true },
  'support.case.close': { object: 'customer', reasonRequired: true },
  'support.case.note': { object: 'customer', reasonRequired: true },
  /** A support agent revealed one masked value in a case (docs/decisions/036-support-console.md). */
  'customer.reveal': { object: 'customer', reasonRequired: true },
} as const satisfies Record<string, ActionSpec>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}

export type AuditEntry = {
  action: AuditAction;
  /** The object acted on: a staff id, an app's client id, a customer id… (its type comes from the action). */
  objectId?: string | null;
  /** The customer concerned: kept until they are erased, then only the pseudonym remains. */
  customerId?: string | null;
  reason?: string | null;
  /** Ids, role and app names, permissions, paths: never a customer's values. */
  details?: Record<string, string | number | boolean | null | readonly string[]>;
};

/** Writes one audit row in the caller's transaction. */
export async function writeAudit(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const spec: ActionSpec = AUDIT_ACTIONS[entry.action];
  const reason = entry.reason?.trim() || null;
  if (spec.reasonRequired && !reason) throw new Error(`The audit action ${entry.action} needs a reason`);
  await tx.auditLog.create({
    data: {
      actorType: actor.type,
      actorStaffId: actor.type === 'staff' ? actor.staffId : null,
      actorLabel: actor.label.slice(0, 200),
      action: entry.action,
      objectType: spec.object,
      objectId: entry.objectId ?? null,
      customerId: entry.customerId ?? null,
      subjectPseudonym: entry.customerId ? subjectPseudonym(entry.customerId) : null,
      reason: reason?.slice(0, 500) ?? null,
      requestId: actor.type === 'staff' ? actor.requestId : null,
      details: entry.details ?? {},
    },
  });
}
