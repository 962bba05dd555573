import 'server-only';

import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

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
