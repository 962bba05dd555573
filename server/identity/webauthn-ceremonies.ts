import 'server-only';

import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';

import { isUuid } from '@/lib/uuid';
import { prisma } from '@/server/platform/db';
import { errorMessage, getLogger } from '@/server/platform/log';

import { relyingParty } from './webauthn-config';

// The WebAuthn steps customers' and staff's passkeys share: pending challenges in
// the database (any instance finishes what another started, single use) and the
// two verifications. Each side keeps its own credential table, so a customer's
// passkey can never open the console (docs/decisions/033-staff-console.md).

const log = () => getLogger().child({ component: 'webauthn' });

const CEREMONY_TTL_MS = 5 * 60 * 1000;

export type CeremonyPurpose =
  'register' | 'authenticate' | 'step-up' | 'staff-register' | 'staff-sign-in' | 'staff-step-up';

/** Whose ceremony it is, when known in advance; a discoverable sign-in has no owner. */
export type CeremonyOwner = { customerId: string } | { staffId: string };

export async function saveChallenge(challenge: string, purpose: CeremonyPurpose, owner?: CeremonyOwner) {
  // Every /signin load starts a ceremony (passkey autofill) and most are never
  // finished: each new one clears up to 100 expired, so the table holds about
  // one TTL's worth of ceremonies rather than every page view ever.
  await prisma.$executeRaw`
    DELETE FROM webauthn_challenges WHERE id IN (SELECT id FROM webauthn_challenges WHERE expires_at < now() LIMIT 100)`;
  const row = await prisma.webAuthnChallenge.create({
    data: {
      challenge,
      purpose,
      customerId: owner && 'customerId' in owner ? owner.customerId : undefined,
      staffId: owner && 'staffId' in owner ? owner.staffId : undefined,
      expiresAt: new Date(Date.now() + CEREMONY_TTL_MS),
    },
    select: { id: true },
  });
  return row.id;
}

/** Takes a pending challenge once: a replayed response finds nothing, nor one of another purpose or owner. */
export async function takeChallenge(
  id: string,
  purpose: CeremonyPurpose,
  owner?: CeremonyOwner,
): Promise<string | null> {
  if (!isUuid(id)) return null;
  const rows = await prisma.$queryRaw<
    Array<{ challenge: string; customer_id: string | null; staff_id: string | null }>
  >`
    DELETE FROM webauthn_challenges WHERE id = ${id}::uuid AND purpose = ${purpose} AND expires_at > now()
    RETURNING challenge, customer_id, staff_id`;
  const row = rows[0];
  if (!row) return null;
  if (owner && 'customerId' in owner && row.customer_id !== owner.customerId) return null;
  if (owner && 'staffId' in owner && row.staff_id !== owner.staffId) return null;
  return row.challenge;
}

export type Attestation =
  | {
      ok: true;
      credential: { id: string; publicKey: Uint8Array; counter: number; transports: string[] };
      deviceType: string;
      backedUp: boolean;
    }
  | { ok: false; reason: 'invalid' | 'not-user-verified' };

/** The UV flag of the authenticator data `read` finds, trusting nothing else in the response. */
function claimsUserVerification(read: () => Parameters<typeof parseAuthenticatorData>[0]): boolean {
  try {
    return parseAuthenticatorData(read()).flags.uv;
  } catch {
    return false;
  }
}

export async function verifyAttestation(
  response: RegistrationResponseJSON,
  challenge: string,
  opts: { requireUserVerification: boolean },
): Promise<Attestation> {
  const rp = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: opts.requireUserVerification,
    });
  } catch (error) {
    log().warn(`registration refused: ${errorMessage(error)}`);
    const unverified =
      opts.requireUserVerification &&
      !claimsUserVerification(() =>
        decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get('authData'),
      );
    return { ok: false, reason: unverified ? 'not-user-verified' : 'invalid' };
  }
  if (!verification.verified || !verification.registrationInfo) {
    log().warn('registration refused: response not verified');
    return { ok: false, reason: 'invalid' };
  }
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  return {
    ok: true,
    credential: {
      id: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports ?? [],
    },
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
  };
}

/** A stored credential, as either table keeps it. */
export type StoredCredential = {
  id: string;
  credentialId: string;
  publicKey: Uint8Array;
  counter: bigint;
  transports: string[];
};

export type Assertion =
  | { ok: true; newCounter: number; userVerified: boolean }
  | { ok: false; reason: 'invalid' | 'cloned' | 'not-user-verified' };

/**
 * Verifies an assertion against a stored credential (docs/decisions/025): a
 * signature counter that does not go up means two authenticators share one key
 * ('cloned'), but only once the signature held. The caller moves the counter
 * conditionally, so two concurrent uses cannot both pass.
 */
export async function verifyAssertion(
  response: AuthenticationResponseJSON,
  challenge: string,
  stored: StoredCredential,
  opts: { requireUserVerification: boolean },
): Promise<Assertion> {
  const rp = relyingParty();
  const credential: WebAuthnCredential = {
    id: stored.credentialId,
    publicKey: new Uint8Array(stored.publicKey),
    // The library compares counters before it checks the signature: a forged
    // assertion would raise the alarm. Compared below, once the signature holds.
    counter: 0,
    transports: stored.transports as AuthenticatorTransport[],
  };
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: opts.requireUserVerification,
      credential,
    });
  } catch (error) {
    log().warn(`assertion refused: ${errorMessage(error)}`);
    const unverified =
      opts.requireUserVerification &&
      !claimsUserVerification(() => isoBase64URL.toBuffer(response.response.authenticatorData));
    return { ok: false, reason: unverified ? 'not-user-verified' : 'invalid' };
  }
  if (!verification.verified) {
    log().warn(`assertion refused: signature not verified for passkey ${stored.id}`);
    return { ok: false, reason: 'invalid' };
  }
  const { newCounter, userVerified } = verification.authenticationInfo;
  const previous = Number(stored.counter);
  if ((newCounter > 0 || previous > 0) && newCounter <= previous) {
    log().warn(`counter did not increase for passkey ${stored.id}: possible cloned authenticator`);
    return { ok: false, reason: 'cloned' };
  }
  return { ok: true, newCounter, userVerified };
}
