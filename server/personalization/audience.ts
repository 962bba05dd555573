import 'server-only';

// The console's audience estimate (docs/decisions/035-personalization.md §3; the lead's decision 1):
// only customers whose personalization grant is in effect are evaluated, so counting never uses
// the data of someone who refused. One statement, bounded at 5 s. The sample's emails are masked
// in PostgreSQL, and each comes with a token the preview takes instead of an id.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import type { Rule } from '@/lib/personalization/catalogue';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { retentionStart } from './attributes';
import type { Segments } from './evaluate';
import { toSql } from './rule-sql';

export type AudienceEstimate = {
  /** Customers in the store. */
  population: number;
  /** Of them, those whose personalization grant is in effect (only they are evaluated). */
  granted: number;
  /** Of those, the ones the rule matches. */
  matching: number;
  /** Of those, the ones outside the holdout: who will see it. */
  reachable: number;
  /** Up to 5 random matching customers, masked; the token opens a preview (10 min). */
  sample: Array<{ token: string; maskedEmail: string }>;
};

/** The estimate ran past its 5 s: the console says so (a rule too costly), not a 500. */
export class AudienceTimeoutError extends Error {
  constructor() {
    super('the audience estimate ran past its time limit');
  }
}

const SAMPLE_SIZE = 5;
const TOKEN_TTL_MS = 10 * 60 * 1000;

export async function countAudience(
  rule: Rule,
  segments: Segments,
  options: { now?: Date } = {},
): Promise<AudienceEstimate> {
  const now = options.now ?? new Date();
  const fragment = toSql(rule, segments, { now, retentionStart: retentionStart(now) });
  // The holdout is the live settings object's (default 0 %): customers whose bucket is below
  // holdoutPercent × 100 see generic content (accord_holdout_bucket, 0–9999).
  const sql = `WITH
    settings AS (
      SELECT coalesce((
        SELECT (r.body->>'holdoutPercent')::int FROM content_objects o JOIN content_revisions r ON r.id = o.live_revision_id
        WHERE o.type = 'settings' ORDER BY o.key LIMIT 1), 0) AS holdout_percent
    ),
    g AS MATERIALIZED (
      SELECT k.customer_id AS id FROM accord_current_consent_rows k
      WHERE k.purpose_key = 'personalization' AND k.granted
    ),
    m AS MATERIALIZED (
      SELECT c.id, c.email FROM g JOIN customers c ON c.id = g.id WHERE ${fragment.sql}
    )
    SELECT
      (SELECT count(*) FROM customers)::int AS population,
      (SELECT count(*) FROM g JOIN customers c ON c.id = g.id)::int AS granted,
      (SELECT count(*) FROM m)::int AS matching,
      (SELECT count(*) FROM m, settings WHERE accord_holdout_bucket(m.id) >= settings.holdout_percent * 100)::int AS reachable,
      coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'masked',
          left(split_part(s.email, '@', 1), 1) || '•••@' || left(split_part(s.email, '@', 2), 1) || '•••'
          || CASE WHEN split_part(s.email, '@', 2) LIKE '%.%' THEN '.' || regexp_replace(split_part(s.email, '@', 2), '^.*\\.', '') ELSE '' END))
        FROM (SELECT m.id, m.email FROM m ORDER BY random() LIMIT ${SAMPLE_SIZE}) s), '[]'::jsonb) AS sample`;

  const client = await getPool().connect();
  try {
    // work_mem: each condition's customers are one hashed set (rule-sql.ts), kept in memory.
    await client.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '5s'; SET LOCAL work_mem = '64MB'");
    const { rows } = await client.query<{
      population: number;
      granted: number;
      matching: number;
      reachable: number;
      sample: Array<{ id: string; masked: string }>;
    }>(sql, fragment.params);
    await client.query('COMMIT');
    const row = rows[0]!;
    const expiresAt = Date.now() + TOKEN_TTL_MS;
    return {
      population: row.population,
      granted: row.granted,
      matching: row.matching,
      reachable: row.reachable,
      sample: row.sample.map((s) => ({ token: sampleToken(s.id, expiresAt), maskedEmail: s.masked })),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    // query_canceled: statement_timeout.
    if ((error as { code?: string }).code === '57014') throw new AudienceTimeoutError();
    throw error;
  } finally {
    client.release();
  }
}

// token = base64url(customer id (16 bytes) ‖ expiry in ms (8 bytes) ‖ HMAC-SHA-256 of both).
function sampleKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', 'accord/content-sample/v1', 32));
}

function mac(secret: string, payload: Buffer): Buffer {
  return createHmac('sha256', sampleKey(secret)).update(payload).digest();
}

function sampleToken(customerId: string, expiresAt: number): string {
  const payload = Buffer.alloc(24);
  Buffer.from(customerId.replaceAll('-', ''), 'hex').copy(payload, 0);
  payload.writeBigUInt64BE(BigInt(expiresAt), 16);
  return Buffer.concat([payload, mac(getEnv().AUTH_SECRET, payload)]).toString('base64url');
}

/** The customer id a sample token stands for, or null (forged, expired). */
export function resolveSampleToken(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{75}$/.test(token)) return null;
  const data = Buffer.from(token, 'base64url');
  if (data.length !== 56) return null;
  const payload = data.subarray(0, 24);
  const tag = data.subarray(24);
  // A token issued just before a rotation of AUTH_SECRET still opens for its 10 minutes.
  if (!getEnv().AUTH_SECRETS.some((secret) => timingSafeEqual(mac(secret, payload), tag))) return null;
  if (Number(payload.readBigUInt64BE(16)) <= Date.now()) return null;
  const hex = payload.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
