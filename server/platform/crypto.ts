import 'server-only';

import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

import { getEnv } from './env';

/** SHA-256 hex of a high-entropy secret (session tokens, link tokens). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Keyed hash for low-entropy secrets (6-digit codes): a leaked table cannot be
 * brute-forced offline without AUTH_SECRET.
 */
export function hmac(purpose: string, value: string): string {
  return createHmac('sha256', getEnv().AUTH_SECRET).update(`${purpose}:${value}`).digest('hex');
}

/** 32 random bytes, base64url: 43 characters. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A uniformly random 6-digit code, leading zeros kept. */
export function randomCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}
