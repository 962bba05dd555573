import 'server-only';

import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

import { writeAudit } from '@/server/platform/audit';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getLogger } from '@/server/platform/log';

import { insertStaffPasskey, staffAuditActor, startStaffRegistration, verifyStaffRegistration } from './passkeys';
import { startStaffSession } from './sessions';

// The first passkey (or a replacement) from an emailed invitation
// (docs/decisions/033-staff-console.md section 2). The token only ever travels in
// the link's fragment and the actions' bodies; the database keeps its SHA-256.

const log = () => getLogger().child({ component: 'staff-enrolment' });

export type InvitationProblem = 'unknown' | 'expired' | 'used' | 'revoked' | 'disabled';

type OpenInvitation = { staffId: string; email: string; displayName: string };

/** Why an invitation cannot be used, or its member. Reads only. */
async function openInvitation(
  token: string,
): Promise<{ ok: true; invitation: OpenInvitation } | { ok: false; reason: InvitationProblem }> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 128) return { ok: false, reason: 'unknown' };
  const row = await prisma.staffInvitation.findUnique({
    where: { tokenHash: sha256(token) },
    select: {
      staffId: true,
      expiresAt: true,
      usedAt: true,
      revokedAt: true,
      staff: { select: { email: true, displayName: true, disabledAt: true } },
    },
  });
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.usedAt) return { ok: false, reason: 'used' };
  if (row.revokedAt) return { ok: false, reason: 'revoked' };
  if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
  if (row.staff.disabledAt) return { ok: false, reason: 'disabled' };
  return { ok: true, invitation: { staffId: row.staffId, email: row.staff.email, displayName: row.staff.displayName } };
}

/** What the invitation page says on load: whose invitation, or why it cannot be used. Writes nothing. */
export async function checkInvitation(
  token: string,
): Promise<{ ok: true; displayName: string } | { ok: false; reason: InvitationProblem }> {
  const open = await openInvitation(token);
  return open.ok ? { ok: true, displayName: open.invitation.displayName } : open;
}

export type StartEnrolmentResult =
  | { ok: true; displayName: string; ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON }
  | { ok: false; reason: InvitationProblem };

export async function startEnrolment(token: string): Promise<StartEnrolmentResult> {
  const open = await openInvitation(token);
  if (!open.ok) return open;
  const { staffId, email, displayName } = open.invitation;
  const ceremony = await startStaffRegistration({ id: staffId, email, displayName });
  return { ok: true, displayName, ...ceremony };
}

export type FinishEnrolmentResult =
  | { ok: true; staffId: string; token: string; expiresAt: Date }
  | { ok: false; reason: InvitationProblem | 'ceremony-expired' | 'invalid' | 'not-user-verified' };

/** Thrown inside the transaction to undo the invitation's consumption. */
class Refused extends Error {
  constructor(readonly reason: 'disabled' | 'invalid') {
    super(reason);
  }
}

/**
 * Verifies the new passkey, then in one transaction: consumes the invitation
 * (single use, even under a race: the conditional UPDATE lets one caller through),
 * stores the passkey, marks the member active, starts their session and audits
 * both. The caller sets the session cookie after the commit.
 */
export async function finishEnrolment(
  input: { token: string; ceremonyId: string; response: RegistrationResponseJSON },
  opts: { passkeyName: string; requestId: string },
): Promise<FinishEnrolmentResult> {
  const open = await openInvitation(input.token);
  if (!open.ok) return open;
  const { staffId, email } = open.invitation;
  const attestation = await verifyStaffRegistration(staffId, input.ceremonyId, input.response);
  if (!attestation.ok)
    return { ok: false, reason: attestation.reason === 'expired' ? 'ceremony-expired' : attestation.reason };
  try {
    return await prisma
      .$transaction(async (tx) => {
        const consumed = await tx.$queryRaw<Array<{ staff_id: string }>>`
        UPDATE staff_invitations SET used_at = now()
        WHERE token_hash = ${sha256(input.token)} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING staff_id`;
        // Lost a race to another tab, or revoked or expired since the check: say which, below.
        if (consumed.length === 0) return null;
        const member = await tx.$queryRaw<Array<{ id: string }>>`
        UPDATE staff_members SET activated_at = coalesce(activated_at, now())
        WHERE id = ${staffId}::uuid AND disabled_at IS NULL
        RETURNING id`;
        if (member.length === 0) throw new Refused('disabled');
        const passkeyId = await insertStaffPasskey(tx, staffId, attestation, opts.passkeyName);
        if (!passkeyId) throw new Refused('invalid');
        const session = await startStaffSession(tx, staffId);
        const actor = staffAuditActor({ id: staffId, email }, opts.requestId);
        await writeAudit(tx, actor, { action: 'staff.passkey.enrol', objectId: staffId, details: { passkeyId } });
        await writeAudit(tx, actor, { action: 'staff.sign-in', objectId: staffId, details: { method: 'invitation' } });
        return { ok: true, staffId, ...session } as const;
      })
      .then(async (done) => {
        if (done) return done;
        const now = await openInvitation(input.token);
        log().warn('enrolment refused: the invitation was used or closed while the passkey was verified');
        return { ok: false, reason: now.ok ? 'used' : now.reason } as const;
      });
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    throw error;
  }
}
