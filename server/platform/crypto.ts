import 'server-only';

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
} from 'node:crypto';

import { getEnv } from './env';

/** SHA-256 hex of a high-entropy secret (session tokens, link tokens). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Keyed hash for low-entropy secrets (6-digit codes): a leaked table cannot be
 * brute-forced offline without AUTH_SECRET. Check a stored one with hmacCandidates.
 */
export function hmac(purpose: string, value: string): string {
  return keyedHash(getEnv().AUTH_SECRET, purpose, value);
}

/**
 * What `hmac` gave under AUTH_SECRET and, during a rotation, AUTH_SECRET_PREVIOUS:
 * a code sent just before the rotation still verifies.
 */
export function hmacCandidates(purpose: string, value: string): string[] {
  return getEnv().AUTH_SECRETS.map((secret) => keyedHash(secret, purpose, value));
}

/**
 * A stable pseudonym (consent receipts' subject), keyed by PSEUDONYM_SECRET
 * (AUTH_SECRET unless set), so rotating AUTH_SECRET does not change it.
 * docs/decisions/021-reference-data-and-production-defaults.md
 */
export function pseudonym(purpose: string, value: string): string {
  return keyedHash(getEnv().PSEUDONYM_SECRET, purpose, value);
}

/**
 * A stable pseudonym for a data subject on consent receipts and audit rows: it
 * survives account erasure and a rotation of AUTH_SECRET, and cannot be turned
 * back into the customer id without PSEUDONYM_SECRET (AUTH_SECRET by default).
 * The purpose string predates audit rows: changing it would orphan every receipt.
 */
export function subjectPseudonym(customerId: string): string {
  return pseudonym('consent-subject', customerId);
}

function keyedHash(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${value}`).digest('hex');
}

/** 32 random bytes, base64url: 43 characters. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A uniformly random 6-digit code, leading zeros kept. */
export function randomCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

const SEAL_IV_BYTES = 12;
const SEAL_TAG_BYTES = 16;

function sealKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'accord-seal-v1', purpose, 32));
}

/**
 * Encrypts data kept at rest (a queued mail) with AES-256-GCM under a key
 * derived by HKDF from AUTH_SECRET and `purpose`. `context` (e.g. the row's
 * key) is authenticated, so a sealed value cannot be moved to another row.
 * Layout: 12-byte IV, 16-byte tag, ciphertext.
 */
export function seal(purpose: string, context: string, plaintext: string): Buffer {
  const iv = randomBytes(SEAL_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealKey(getEnv().AUTH_SECRET, purpose), iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/**
 * Opens what `seal` gave under AUTH_SECRET or, during a rotation,
 * AUTH_SECRET_PREVIOUS. Null when no key opens it (tampered, or sealed under
 * a secret no longer configured).
 */
export function unseal(purpose: string, context: string, sealed: Uint8Array): string | null {
  const data = Buffer.from(sealed);
  if (data.length < SEAL_IV_BYTES + SEAL_TAG_BYTES) return null;
  const iv = data.subarray(0, SEAL_IV_BYTES);
  const tag = data.subarray(SEAL_IV_BYTES, SEAL_IV_BYTES + SEAL_TAG_BYTES);
  const body = data.subarray(SEAL_IV_BYTES + SEAL_TAG_BYTES);
  for (const secret of getEnv().AUTH_SECRETS) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealKey(secret, purpose), iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // Not this secret: try the next.
    }
  }
  return null;
}
