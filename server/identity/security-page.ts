import 'server-only';

import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { providerName, type IdentitySummary } from './identities';
import type { PasskeySummary } from './passkeys';
import { listedSessionCondition, toSessionSummaries, type SessionSummary } from './sessions';

const EVENTS_SHOWN = 10;

export type SecurityEventSummary = { id: string; type: string; detail: unknown; createdAt: Date };

export type SecurityPage = {
  /** Oldest first. */
  passkeys: PasskeySummary[];
  /** This session first, then by latest activity. */
  sessions: SessionSummary[];
  /** Newest first. */
  events: SecurityEventSummary[];
  /** Oldest first. */
  identities: IdentitySummary[];
};

type Dated<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
type Row = {
  passkeys: Array<Dated<PasskeySummary>> | null;
  sessions: Array<{
    id: string;
    userAgent: string | null;
    ipPrefix: string | null;
    createdAt: string;
    lastActiveAt: string;
    authMethod: string | null;
  }> | null;
  events: Array<Dated<SecurityEventSummary>> | null;
  identities: Array<{ id: string; provider: string; linkedAt: string }> | null;
};

/**
 * Everything /account/security shows, in one statement, named (prepared) so
 * that it is planned once per connection: the page made four reads of its own
 * (docs/performance.md). Each column gives what the function that reads it
 * alone gives (listPasskeys, listSessions, listSecurityEvents, listIdentities);
 * tests/integration/security-page.test.ts holds them to the same answers.
 * Timestamps inside JSON are converted from UTC so that their text carries the
 * offset (the columns are UTC `timestamp`s).
 */
export async function getSecurityPage(customerId: string, currentSessionId: string): Promise<SecurityPage> {
  const { rows } = await getPool().query<Row>({
    name: 'accord-security-page',
    text: `SELECT
       (SELECT json_agg(json_build_object(
                 'id', k.id, 'name', k.name, 'createdAt', k.created_at AT TIME ZONE 'UTC',
                 'lastUsedAt', k.last_used_at AT TIME ZONE 'UTC', 'backedUp', k.backed_up) ORDER BY k.created_at)
          FROM passkeys k WHERE k.customer_id = $1) AS passkeys,
       (SELECT json_agg(json_build_object(
                 'id', s.id, 'userAgent', s.user_agent, 'ipPrefix', s.ip_prefix,
                 'createdAt', s.created_at AT TIME ZONE 'UTC', 'lastActiveAt', s.last_active_at AT TIME ZONE 'UTC',
                 'authMethod', s.auth_method) ORDER BY s.last_active_at DESC)
          FROM sessions s WHERE s.user_id = $1 AND ${listedSessionCondition('$2')}) AS sessions,
       (SELECT json_agg(json_build_object(
                 'id', e.id, 'type', e.type, 'detail', e.detail, 'createdAt', e.created_at AT TIME ZONE 'UTC')
                 ORDER BY e.created_at DESC, e.id DESC)
          FROM (SELECT id, type, detail, created_at FROM security_events WHERE customer_id = $1
                 ORDER BY created_at DESC, id DESC LIMIT ${EVENTS_SHOWN}) e) AS events,
       (SELECT json_agg(json_build_object('id', a.id, 'provider', a.provider,
                                          'linkedAt', a.created_at AT TIME ZONE 'UTC') ORDER BY a.created_at)
          FROM accounts a WHERE a.user_id = $1) AS identities`,
    values: [customerId, getEnv().SESSION_MAX_AGE_DAYS],
  });
  const row = rows[0]!;
  const date = (text: string) => new Date(text);
  return {
    passkeys: (row.passkeys ?? []).map((p) => ({
      ...p,
      createdAt: date(p.createdAt),
      lastUsedAt: p.lastUsedAt === null ? null : date(p.lastUsedAt),
    })),
    sessions: toSessionSummaries(
      (row.sessions ?? []).map((s) => ({ ...s, createdAt: date(s.createdAt), lastActiveAt: date(s.lastActiveAt) })),
      currentSessionId,
    ),
    events: (row.events ?? []).map((e) => ({ ...e, createdAt: date(e.createdAt) })),
    identities: (row.identities ?? []).map((i) => ({
      id: i.id,
      provider: i.provider,
      providerName: providerName(i.provider),
      linkedAt: date(i.linkedAt),
    })),
  };
}
