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

import { prisma } from '@/server/platform/db';
import { getLogger } from '@/server/platform/log';
import { consume } from '@/server/platform/rate-limit';

import { recordSecurityEvent, sendPendingNotice, writeSecurityEvent } from './security-events';
import { saveChallenge, takeChallenge, verifyAssertion, verifyAttestation } from './webauthn-ceremonies';
import { relyingParty } from './webauthn-config';

const log = () => getLogger().child({ component: 'passkeys' });

export type PasskeySummary = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; backedUp: boolean };

export async function listPasskeys(customerId: string): Promise<PasskeySummary[]> {
  return prisma.passkey.findMany({
    where: { customerId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true, backedUp: true },
  });
}

export async function countPasskeys(customerId: string): Promise<number> {
  return prisma.passkey.count({ where: { customerId } });
}

export async function startPasskeyRegistration(customer: {
  id: string;
  email: string;
  firstName: string | null;
}): Promise<{ ceremonyId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const rp = relyingParty();
  const existing = await prisma.passkey.findMany({
    where: { customerId: customer.id },
    select: { credentialId: true, transports: true },
  });
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: customer.email,
    userID: new TextEncoder().encode(customer.id),
    userDisplayName: customer.firstName ?? customer.email,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.credentialId,
      transports: p.transports as AuthenticatorTransport[],
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  return { ceremonyId: await saveChallenge(options.challenge, 'register', { customerId: customer.id }), options };
}

export type RegistrationResult = { ok: true; passkeyId: string } | { ok: false; reason: 'invalid' | 'expired' };

export async function finishPasskeyRegistration(
  customerId: string,
  ceremonyId: string,
  response: RegistrationResponseJSON,
  name: string,
): Promise<RegistrationResult> {
  const challenge = await takeChallenge(ceremonyId, 'register', { customerId });
  if (!challenge) {
    log().warn('registration refused: unknown, used or expired ceremony');
    return { ok: false, reason: 'expired' };
  }
  const verification = await verifyAttestation(response, challenge, { requireUserVerification: false });
  if (!verification.ok) return { ok: false, reason: 'invalid' };
  const { credential, deviceType, backedUp } = verification;
  // The notice carries the passkey's id: "this wasn't me" removes that passkey.
  const { passkeyId, notice } = await prisma.$transaction(async (tx) => {
    const created = await tx.passkey.create({
      data: {
        customerId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey),
        counter: BigInt(credential.counter),
        transports: credential.transports ?? [],
        deviceType,
        backedUp,
        name,
      },
      select: { id: true },
    });
    const notice = await writeSecurityEvent(
      tx,
      customerId,
      'passkey.added',
      { name, passkeyId: created.id },
      { notify: true },
    );
    return { passkeyId: created.id, notice };
  });
  await sendPendingNotice(notice);
  return { ok: true, passkeyId };
}

/** Options for a sign-in with any passkey (discoverable credentials, so browser autofill works). */
export async function startPasskeyAuthentication(
  purpose: 'authenticate' | 'step-up' = 'authenticate',
  customerId?: string,
): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const rp = relyingParty();
  const allow = customerId
    ? await prisma.passkey.findMany({ where: { customerId }, select: { credentialId: true, transports: true } })
    : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    // A step-up must show the person, not only the device: ask for the PIN or biometric.
    userVerification: purpose === 'step-up' ? 'required' : 'preferred',
    allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
  });
  return {
    ceremonyId: await saveChallenge(options.challenge, purpose, customerId ? { customerId } : undefined),
    options,
  };
}

export type AuthenticationResult =
  | { ok: true; customerId: string }
  | { ok: false; reason: 'invalid' | 'expired' | 'unknown-passkey' | 'cloned' | 'not-user-verified' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/**
 * Verifies an assertion. A signature counter that does not go up means two
 * authenticators share one key: refused, and the customer is told. A sign-in
 * takes a passkey that only showed presence; a step-up needs user
 * verification (the authenticator checked a PIN or biometric).
 */
export async function finishPasskeyAuthentication(
  ceremonyId: string,
  response: AuthenticationResponseJSON,
  opts: { ip: string; purpose?: 'authenticate' | 'step-up'; customerId?: string },
): Promise<AuthenticationResult> {
  const purpose = opts.purpose ?? 'authenticate';
  const perIp = await consume([['passkeyPerIp', opts.ip]]);
  if (!perIp.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: perIp.retryAfterSeconds };
  const challenge = await takeChallenge(
    ceremonyId,
    purpose,
    opts.customerId ? { customerId: opts.customerId } : undefined,
  );
  if (!challenge) {
    log().warn('assertion refused: unknown, used or expired ceremony (a replay?)');
    return { ok: false, reason: 'expired' };
  }
  if (typeof response?.id !== 'string') return { ok: false, reason: 'invalid' };
  const passkey = await prisma.passkey.findUnique({
    where: { credentialId: response.id },
    select: {
      id: true,
      customerId: true,
      credentialId: true,
      publicKey: true,
      counter: true,
      transports: true,
      name: true,
    },
  });
  if (!passkey || (opts.customerId && passkey.customerId !== opts.customerId)) {
    log().warn('assertion refused: unknown credential');
    return { ok: false, reason: 'unknown-passkey' };
  }
  const perCredential = await consume([['passkeyPerCredential', passkey.id]]);
  if (!perCredential.ok) {
    return { ok: false, reason: 'rate-limited', retryAfterSeconds: perCredential.retryAfterSeconds };
  }
  const verification = await verifyAssertion(response, challenge, passkey, { requireUserVerification: false });
  if (!verification.ok) {
    if (verification.reason === 'cloned')
      await recordSecurityEvent(passkey.customerId, 'passkey.cloned', { name: passkey.name }, { notify: true });
    return { ok: false, reason: verification.reason === 'cloned' ? 'cloned' : 'invalid' };
  }
  const { newCounter, userVerified } = verification;
  // Conditional on the counter we checked against: two concurrent uses cannot both pass.
  const updated = await prisma.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(newCounter), lastUsedAt: new Date() },
  });
  if (updated.count === 0) {
    log().warn(`assertion refused: passkey ${passkey.id} was used concurrently`);
    return { ok: false, reason: 'invalid' };
  }
  // Checked after the counter moved: the assertion was genuine, it is just not enough for a step-up.
  if (purpose === 'step-up' && !userVerified) {
    log().warn(`step-up refused: passkey ${passkey.id} did not verify the user`);
    return { ok: false, reason: 'not-user-verified' };
  }
  return { ok: true, customerId: passkey.customerId };
}

export async function renamePasskey(customerId: string, passkeyId: string, name: string): Promise<boolean> {
  const result = await prisma.passkey.updateMany({ where: { id: passkeyId, customerId }, data: { name } });
  return result.count === 1;
}

export async function deletePasskey(customerId: string, passkeyId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const result = await tx.passkey.deleteMany({ where: { id: passkeyId, customerId } });
    if (result.count === 1) await writeSecurityEvent(tx, customerId, 'passkey.deleted', {}, { notify: false });
    return result.count === 1;
  });
}
