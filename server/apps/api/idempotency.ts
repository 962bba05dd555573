import 'server-only';

import { createHash } from 'node:crypto';

import type { Tx } from '@/server/platform/db';

// Idempotency-Key for the apps' writes (draft-ietf-httpapi-idempotency-key-header-07),
// docs/decisions/035-personalization.md §1. The key is looked up and stored inside the
// write's own transaction, under the customer's lock: it commits if and only if the
// write does, and a concurrent twin waits on the lock, then replays. A middleware
// storing around the handler (express-idempotency…) would apply twice after a crash
// between the write and its store.

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
const REPLAY_FOR_MS = 24 * 60 * 60 * 1000;

export type IdempotencyKeyHeader = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'key'; key: string };

/**
 * The header as the draft writes it, a structured-field string ("…", RFC 8941
 * §3.3.3), or, as many clients send it, a bare token of printable characters.
 */
export function parseIdempotencyKey(value: string | null): IdempotencyKeyHeader {
  if (value === null) return { kind: 'missing' };
  const trimmed = value.trim();
  let key: string;
  const quoted = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(trimmed);
  if (quoted) key = quoted[1]!.replace(/\\(["\\])/g, '$1');
  else if (/^[\x21\x23-\x7e]+$/.test(trimmed)) key = trimmed;
  else return { kind: 'invalid' };
  return key.length >= 1 && key.length <= IDEMPOTENCY_KEY_MAX_LENGTH ? { kind: 'key', key } : { kind: 'invalid' };
}

/** sha256 of the method, the path and the body's bytes: the operation a key names. */
export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n`).update(body, 'utf8').digest('hex');
}

export type Idempotency = { appId: string; key: string; customerId: string; fingerprint: string };
export type StoredResponse = { status: number; body: unknown; headers: Record<string, string> };

/** The key was used for this very request: answer what was answered then. */
export class IdempotentReplay extends Error {
  constructor(readonly response: StoredResponse) {
    super('idempotent replay');
  }
}

/** The key was used for another request (another method, path or body): nothing is written. */
export class IdempotencyKeyReused extends Error {
  constructor() {
    super('idempotency key reused');
  }
}

/**
 * Before the write, under the customer's lock: throws IdempotentReplay or
 * IdempotencyKeyReused when the key is known and not expired.
 */
export async function checkIdempotencyKey(tx: Tx, idempotency: Idempotency): Promise<void> {
  const [row] = await tx.$queryRaw<
    Array<{ fingerprint: string; status: number; body: unknown; headers: Record<string, string> }>
  >`SELECT fingerprint, status, body, headers FROM api_idempotency_keys
    WHERE app_id = ${idempotency.appId}::uuid AND key = ${idempotency.key} AND expires_at > ${new Date()}`;
  if (!row) return;
  if (row.fingerprint !== idempotency.fingerprint) throw new IdempotencyKeyReused();
  throw new IdempotentReplay({ status: row.status, body: row.body, headers: row.headers });
}

/**
 * The write's answer, stored in the write's transaction. A key taken meanwhile
 * by a request on another customer (whose lock this one does not wait for) is
 * a reuse: throwing rolls the write back.
 */
export async function storeIdempotentResponse(
  tx: Tx,
  idempotency: Idempotency,
  response: StoredResponse,
): Promise<void> {
  const now = new Date();
  const stored = await tx.$executeRaw`
    INSERT INTO api_idempotency_keys (app_id, key, customer_id, fingerprint, status, body, headers, created_at, expires_at)
    VALUES (${idempotency.appId}::uuid, ${idempotency.key}, ${idempotency.customerId}::uuid, ${idempotency.fingerprint},
            ${response.status}, ${JSON.stringify(response.body ?? null)}::jsonb, ${JSON.stringify(response.headers)}::jsonb,
            ${now}, ${new Date(now.getTime() + REPLAY_FOR_MS)})
    ON CONFLICT (app_id, key) DO UPDATE SET
      customer_id = excluded.customer_id, fingerprint = excluded.fingerprint, status = excluded.status,
      body = excluded.body, headers = excluded.headers, created_at = excluded.created_at, expires_at = excluded.expires_at
    WHERE api_idempotency_keys.expires_at <= ${now}`;
  if (stored === 0) throw new IdempotencyKeyReused();
}
