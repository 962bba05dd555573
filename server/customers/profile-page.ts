import 'server-only';

import { otherSessionsColumn } from '@/server/identity/sessions';
import { getPool } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { PENDING_EMAIL_CHANGE_COLUMN, toPendingEmailChange, type PendingEmailChange } from './email-change';
import {
  historyColumn,
  PROFILE_COLUMNS,
  toHistory,
  toProfile,
  type HistoryRow,
  type Profile,
  type ProfileChangeEntry,
  type ProfileRow,
} from './profile';
import { OPEN_REVERT_COLUMN, type OpenEmailRevert } from './revert-window';

const HISTORY_SHOWN = 50;

export type ProfilePage = {
  profile: Profile;
  /** The newest changes first. */
  history: ProfileChangeEntry[];
  pendingEmail: PendingEmailChange | null;
  revert: OpenEmailRevert | null;
  passkeys: number;
  /** Sessions the security page would list besides this one. */
  otherSessions: number;
};

type Row = ProfileRow & {
  history: HistoryRow;
  pending_email: Parameters<typeof toPendingEmailChange>[0];
  revert: { oldEmail: string; newEmail: string; expiresAt: string } | null;
  passkeys: number;
  other_sessions: number;
};

/**
 * Everything /account/profile shows, in one statement: each statement costs
 * the database a parse, a plan and a round trip, and the page made twelve
 * (docs/performance.md). Each column is the rule of the function that reads it
 * alone (getProfile, listProfileChanges, getPendingEmailChange,
 * getOpenEmailRevert, countPasskeys, listSessions);
 * tests/integration/profile-page.test.ts holds them to the same answers.
 */
export async function getProfilePage(customerId: string, currentSessionId: string): Promise<ProfilePage | null> {
  const { rows } = await getPool().query<Row>({
    // Named (prepared): planning this statement costs the database more than
    // running it; planned once per connection instead of on every page.
    name: 'accord-profile-page',
    text: `SELECT ${PROFILE_COLUMNS},
            ${historyColumn(String(HISTORY_SHOWN))} AS history,
            ${PENDING_EMAIL_CHANGE_COLUMN} AS pending_email,
            ${OPEN_REVERT_COLUMN} AS revert,
            (SELECT count(*)::int FROM passkeys k WHERE k.customer_id = c.id) AS passkeys,
            ${otherSessionsColumn('$2', '$3')} AS other_sessions
       FROM customers c WHERE c.id = $1`,
    values: [customerId, currentSessionId, getEnv().SESSION_MAX_AGE_DAYS],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    profile: toProfile(row),
    history: toHistory(row.history),
    pendingEmail: toPendingEmailChange(row.pending_email),
    revert: row.revert && { ...row.revert, expiresAt: new Date(row.revert.expiresAt) },
    passkeys: row.passkeys,
    otherSessions: row.other_sessions,
  };
}
