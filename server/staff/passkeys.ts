import 'server-only';

import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

import { describeUserAgent } from '@/server/identity/sessions';
import {
  saveChallenge,
  takeChallenge,
  verifyAssertion,
  verifyAttestation,
  type Attestation,
} from '@/server/identity/webauthn-ceremonies';
import { relyingParty } from '@/server/identity/webauthn-config';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { prisma, type Tx } from '@/server/platform/db';
import { getLogger } from '@/server/platform/log';
import { consume } from '@/server/platform/rate-limit';
import { ipBucket } from '@/server/platform/request-context';

import { startStaffSession } from './sessions';

// Staff passkeys (docs/decisions/033-staff-console.md section 2): their own table,
// user verification required in the options AND in every verification, so a
// device that only shows presence never opens the console.

const log = () => getLogger().child({ component: 'staff-passkeys' });

/** How long after a user-verified assertion the session may add a passkey. */
export const FRESH_AUTHENTICATION_MS = 5 * 60 * 1000;

export type StaffPasskeySummary = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null };

export async function listStaffPasskeys(staffId: string): Promise<StaffPasskeySummary[]> {
  return prisma.staffPasskey.findMany({
    where: { staffId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
  });
}

/** The member as the audit trail names them. */
export function staffAuditActor(staff: { id: string; email: string }, requestId: string): AuditActor {
  return { type: 'staff', staffId: staff.id, label: staff.email, requestId };
}

/** A passkey's default name: the device it was made on. */
export function deviceName(userAgent: string): string {
  const device = describeUserAgent(userAgent);
  return `${device.browser.split(' ')[0]} · ${device.os}`.slice(0, 60);
}

export async function startStaffRegistration(staff: {
  id: string;
  email: string;
  displayName: string;
}): Promise<{ ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const rp = relyingParty();
  const existing = await prisma.staffPasskey.findMany({
    where: { staffId: staff.id },
    select: { credentialId: true, transports: true },
  });
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    // One relying party for both kinds: the browser's chooser lists this beside the member's customer passkeys.
    userName: `${staff.email} (staff)`,
    userID: new TextEncoder().encode(`staff:${staff.id}`),
    userDisplayName: `${staff.displayName} (staff)`,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  return { ceremonyId: await saveChallenge(options.challenge, 'staff-register', { staffId: staff.id }), options };
}

export type StaffAttestation = Attestation | { ok: false; reason: 'expired' };

/** Takes the member's registration ceremony and verifies the response; stores nothing. */
export async function verifyStaffRegistration(
  staffId: string,
  ceremonyId: string,
  response: RegistrationResponseJSON,
): Promise<StaffAttestation> {
  const challenge = await takeChallenge(ceremonyId, 'staff-register', { staffId });
  if (!challenge) {
    log().warn('staff registration refused: unknown, used or expired ceremony');
    return { ok: false, reason: 'expired' };
  }
  return verifyAttestation(response, challenge, { requireUserVerification: true });
}

/** Inserts a verified credential in the caller's transaction; false when the credential is already registered. */
export async function insertStaffPasskey(
  tx: Tx,
  staffId: string,
  attestation: Extract<Attestation, { ok: true }>,
  name: string,
): Promise<string | null> {
  const { credential, deviceType, backedUp } = attestation;
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO staff_passkeys (id, staff_id, credential_id, public_key, counter, transports, device_type, backed_up, name)
    VALUES (gen_random_uuid(), ${staffId}::uuid, ${credential.id}, ${Buffer.from(credential.publicKey)},
            ${BigInt(credential.counter)}, ${credential.transports}::text[], ${deviceType}, ${backedUp}, ${name})
    ON CONFLICT (credential_id) DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

export type AddPasskeyResult = { ok: true } | { ok: false; reason: 'expired' | 'invalid' | 'not-user-verified' };

/** Another passkey from /console/account: the action checked a fresh user-verified assertion first. */
export async function addStaffPasskey(
  staff: { id: string; email: string },
  ceremonyId: string,
  response: RegistrationResponseJSON,
  opts: { name: string; requestId: string },
): Promise<AddPasskeyResult> {
  const attestation = await verifyStaffRegistration(staff.id, ceremonyId, response);
  if (!attestation.ok) return attestation;
  return prisma.$transaction(async (tx) => {
    const passkeyId = await insertStaffPasskey(tx, staff.id, attestation, opts.name);
    if (!passkeyId) return { ok: false, reason: 'invalid' } as const;
    await writeAudit(tx, staffAuditActor(staff, opts.requestId), {
      action: 'staff.passkey.enrol',
      objectId: staff.id,
      details: { passkeyId },
    });
    return { ok: true } as const;
  });
}

export type RemovePasskeyResult = { ok: true } | { ok: false; reason: 'not-found' | 'last-passkey' };

/** Removes one of the member's own passkeys, never the last: the console would be locked for good. */
export async function removeStaffPasskey(
  staff: { id: string; email: string },
  passkeyId: string,
  requestId: string,
): Promise<RemovePasskeyResult> {
  return prisma.$transaction(async (tx) => {
    // Serializes two removals of the member's passkeys, so both cannot see "two left".
    await tx.$queryRaw`SELECT id FROM staff_members WHERE id = ${staff.id}::uuid FOR UPDATE`;
    const owned = await tx.staffPasskey.findMany({ where: { staffId: staff.id }, select: { id: true } });
    if (!owned.some((p) => p.id === passkeyId)) return { ok: false, reason: 'not-found' } as const;
    if (owned.length <= 1) return { ok: false, reason: 'last-passkey' } as const;
    await tx.staffPasskey.delete({ where: { id: passkeyId } });
    await writeAudit(tx, staffAuditActor(staff, requestId), {
      action: 'staff.passkey.remove',
      objectId: staff.id,
      details: { passkeyId },
    });
    return { ok: true } as const;
  });
}

type AssertionPurpose = 'staff-sign-in' | 'staff-step-up';

/** Options for a console sign-in (any staff passkey: discoverable, autofill) or a member's step-up (theirs only). */
export async function startStaffAuthentication(
  purpose: AssertionPurpose,
  staffId?: string,
): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const rp = relyingParty();
  const allow = staffId
    ? await prisma.staffPasskey.findMany({ where: { staffId }, select: { credentialId: true, transports: true } })
    : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
  });
  return { ceremonyId: await saveChallenge(options.challenge, purpose, staffId ? { staffId } : undefined), options };
}

export type StaffAssertionFailure =
  | { ok: false; reason: 'invalid' | 'expired' | 'unknown-passkey' | 'cloned' | 'not-user-verified' | 'disabled' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

export type StaffAssertionResult = { ok: true; staffId: string; email: string } | StaffAssertionFailure;

/**
 * Verifies a staff assertion: the ceremony, the credential (staff_passkeys only:
 * a customer's passkey is unknown here), user verification, the counter, and a
 * member still enabled. Moves the counter conditionally on the value it checked.
 */
export async function verifyStaffAssertion(
  ceremonyId: string,
  response: AuthenticationResponseJSON,
  opts: { ip: string; purpose: AssertionPurpose; staffId?: string },
): Promise<StaffAssertionResult> {
  // Other keys than the customers' (`staff:`): a flood on one side never locks out the other.
  const perIp = await consume([['passkeyPerIp', `staff:${ipBucket(opts.ip)}`]]);
  if (!perIp.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: perIp.retryAfterSeconds };
  const challenge = await takeChallenge(ceremonyId, opts.purpose, opts.staffId ? { staffId: opts.staffId } : undefined);
  if (!challenge) {
    log().warn('staff assertion refused: unknown, used or expired ceremony (a replay?)');
    return { ok: false, reason: 'expired' };
  }
  if (typeof response?.id !== 'string') return { ok: false, reason: 'invalid' };
  const passkey = await prisma.staffPasskey.findUnique({
    where: { credentialId: response.id },
    select: {
      id: true,
      staffId: true,
      credentialId: true,
      publicKey: true,
      counter: true,
      transports: true,
      staff: { select: { email: true, disabledAt: true } },
    },
  });
  if (!passkey || (opts.staffId && passkey.staffId !== opts.staffId)) {
    log().warn('staff assertion refused: unknown credential');
    return { ok: false, reason: 'unknown-passkey' };
  }
  const perCredential = await consume([['passkeyPerCredential', `staff:${passkey.id}`]]);
  if (!perCredential.ok) {
    return { ok: false, reason: 'rate-limited', retryAfterSeconds: perCredential.retryAfterSeconds };
  }
  const verification = await verifyAssertion(response, challenge, passkey, { requireUserVerification: true });
  if (!verification.ok) return verification;
  // Told only to whoever holds the passkey: the signature held.
  if (passkey.staff.disabledAt) {
    log().warn(`staff assertion refused: passkey ${passkey.id} belongs to a disabled member`);
    return { ok: false, reason: 'disabled' };
  }
  const updated = await prisma.staffPasskey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(verification.newCounter), lastUsedAt: new Date() },
  });
  if (updated.count === 0) {
    log().warn(`staff assertion refused: passkey ${passkey.id} was used concurrently`);
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, staffId: passkey.staffId, email: passkey.staff.email };
}

export type StaffSignInResult = { ok: true; token: string; expiresAt: Date } | StaffAssertionFailure;

/** A console sign-in: the session and its audit row in one transaction; the caller sets the cookie after. */
export async function signInStaffWithPasskey(
  ceremonyId: string,
  response: AuthenticationResponseJSON,
  opts: { ip: string; requestId: string },
): Promise<StaffSignInResult> {
  const verified = await verifyStaffAssertion(ceremonyId, response, { ip: opts.ip, purpose: 'staff-sign-in' });
  if (!verified.ok) return verified;
  return prisma.$transaction(async (tx) => {
    // Disabled between the check above and now: disableStaff holds this row's lock while it ends sessions.
    const member = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM staff_members WHERE id = ${verified.staffId}::uuid AND disabled_at IS NULL FOR SHARE`;
    if (member.length === 0) return { ok: false, reason: 'disabled' } as const;
    const session = await startStaffSession(tx, verified.staffId);
    await writeAudit(tx, staffAuditActor({ id: verified.staffId, email: verified.email }, opts.requestId), {
      action: 'staff.sign-in',
      objectId: verified.staffId,
      details: { method: 'passkey' },
    });
    return { ok: true, ...session } as const;
  });
}

/** A user-verified assertion of the member's own passkey: the session counts as freshly authenticated. */
export async function stepUpStaff(
  staff: { id: string; sessionId: string },
  ceremonyId: string,
  response: AuthenticationResponseJSON,
  ip: string,
): Promise<{ ok: true } | StaffAssertionFailure> {
  const verified = await verifyStaffAssertion(ceremonyId, response, {
    ip,
    purpose: 'staff-step-up',
    staffId: staff.id,
  });
  if (!verified.ok) return verified;
  await prisma.staffSession.updateMany({
    where: { id: staff.sessionId, staffId: staff.id },
    data: { authenticatedAt: new Date() },
  });
  return { ok: true };
}

export function isFreshlyAuthenticated(authenticatedAt: Date, now = Date.now()): boolean {
  return now - authenticatedAt.getTime() < FRESH_AUTHENTICATION_MS;
}
