import { describe, expect, it } from 'vitest';

import { envIssues } from '@/server/platform/env';

const SECRET = 'a'.repeat(32);
const PREVIOUS = 'b'.repeat(32);
const production = {
  NODE_ENV: 'production',
  AUTH_SECRET: SECRET,
  APP_URL: 'https://accounts.example.com',
  SMTP_URL: 'smtp://user:password@smtp.example.com:587',
};
const issuesOf = (env: Record<string, string | undefined>) => envIssues(env, { requireDatabaseUrl: false });

describe('production refuses to start without safe settings', () => {
  it('accepts the README production variables, and http:// on localhost', () => {
    expect(issuesOf(production)).toEqual([]);
    expect(issuesOf({ ...production, APP_URL: 'http://localhost:3000' })).toEqual([]);
    expect(issuesOf({ ...production, SMTP_URL: 'smtps://smtp.example.com' })).toEqual([]);
  });

  it('names each missing variable and what to put there', () => {
    expect(issuesOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^AUTH_SECRET: required in production\. .*openssl rand -base64 32/),
      expect.stringMatching(/^APP_URL: required in production\. .*https:\/\/accounts\.example\.com/),
      expect.stringMatching(/^SMTP_URL: required in production .*smtp:\/\/user:password@smtp\.example\.com:587/),
    ]);
  });

  it('refuses an APP_URL that is not https (except localhost) or has a path', () => {
    expect(issuesOf({ ...production, APP_URL: 'http://accounts.example.com' })).toEqual([
      'APP_URL: must be an https:// address in production (http:// only for localhost), got "http://accounts.example.com"',
    ]);
    expect(issuesOf({ ...production, APP_URL: 'https://example.com/accounts' })).toEqual([
      expect.stringMatching(/^APP_URL: must be an origin without a path/),
    ]);
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, in any mode', () => {
    expect(issuesOf({ SMTP_URL: 'http://smtp.example.com' })).toEqual([
      expect.stringMatching(/^SMTP_URL: must start with smtp:\/\/ .* or smtps:\/\//),
    ]);
  });

  it('asks for PSEUDONYM_SECRET during a rotation, and refuses a previous secret equal to the current one', () => {
    expect(issuesOf({ ...production, AUTH_SECRET_PREVIOUS: PREVIOUS })).toEqual([
      expect.stringMatching(/^PSEUDONYM_SECRET: required while AUTH_SECRET is rotated.*AUTH_SECRET_PREVIOUS/),
    ]);
    expect(issuesOf({ ...production, AUTH_SECRET_PREVIOUS: PREVIOUS, PSEUDONYM_SECRET: PREVIOUS })).toEqual([]);
    expect(issuesOf({ ...production, AUTH_SECRET_PREVIOUS: SECRET, PSEUDONYM_SECRET: SECRET })).toEqual([
      expect.stringMatching(/^AUTH_SECRET_PREVIOUS: is the same as AUTH_SECRET/),
    ]);
  });

  it('keeps development free of these requirements', () => {
    expect(issuesOf({})).toEqual([]);
    expect(issuesOf({ NODE_ENV: 'test' })).toEqual([]);
  });
});

describe('the database roles (docs/deployment.md "Database roles")', () => {
  const runtime = 'postgresql://accord_app:a@db.example.com:5432/accord';
  const owner = 'postgresql://accord_owner:o@db.example.com:5432/accord';
  const startUp = (env: Record<string, string | undefined>) =>
    envIssues(env, { requireDatabaseUrl: false, startUp: true });

  it('needs, for a production start on an external database, an owner URL of another user for the same database', () => {
    expect(startUp({ ...production, DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner })).toEqual([]);
    expect(startUp(production)).toEqual([]); // the embedded database makes both roles
    expect(startUp({ ...production, DATABASE_URL: runtime })).toEqual([
      expect.stringMatching(/^MIGRATION_DATABASE_URL: required in production, with another user than DATABASE_URL/),
    ]);
    expect(startUp({ ...production, DATABASE_URL: runtime, MIGRATION_DATABASE_URL: runtime })).toHaveLength(1);
    // Development keeps a one-user URL working (prepareDatabase warns).
    expect(startUp({ DATABASE_URL: runtime })).toEqual([]);
    // The running app never needs the owner's URL (scripts/serve.ts keeps it from Next.js).
    expect(envIssues({ ...production, DATABASE_URL: runtime })).toEqual([]);
  });

  it('refuses an owner URL without DATABASE_URL, or for another database', () => {
    expect(issuesOf({ MIGRATION_DATABASE_URL: owner })).toEqual([
      expect.stringMatching(/^MIGRATION_DATABASE_URL: set without DATABASE_URL/),
    ]);
    expect(issuesOf({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner.replace(/accord$/, 'other') })).toEqual([
      'MIGRATION_DATABASE_URL: must name the database of DATABASE_URL (db.example.com:5432/accord) as its owner role, got db.example.com:5432/other',
    ]);
  });
});

describe('shutdown and housekeeping settings', () => {
  it('accepts whole numbers in range and names the variable otherwise', () => {
    expect(
      issuesOf({
        SHUTDOWN_DELAY_MS: '5000',
        SHUTDOWN_GRACE_MS: '30000',
        ACCESS_LOG_RETENTION_DAYS: '365',
        OUTBOX_RETENTION_DAYS: '7',
        HOUSEKEEPING_INTERVAL_MINUTES: '15',
      }),
    ).toEqual([]);
    expect(issuesOf({ ACCESS_LOG_RETENTION_DAYS: '0', SHUTDOWN_GRACE_MS: 'soon' })).toEqual([
      expect.stringMatching(/^SHUTDOWN_GRACE_MS: /),
      expect.stringMatching(/^ACCESS_LOG_RETENTION_DAYS: /),
    ]);
  });
});

describe('trusted proxies', () => {
  it('takes addresses and CIDRs, comma-separated, and trusts none by default', () => {
    expect(issuesOf({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8' })).toEqual([]);
    expect(issuesOf({ TRUSTED_PROXIES: '' })).toEqual([]);
  });

  it('names a bad entry and the replaced TRUST_PROXY_HOPS', () => {
    expect(issuesOf({ TRUSTED_PROXIES: '10.0.0.0/33' })).toEqual([
      expect.stringMatching(/^TRUSTED_PROXIES: must be IP addresses or CIDRs/),
    ]);
    expect(issuesOf({ TRUSTED_PROXIES: 'proxy.internal' })).toEqual([expect.stringMatching(/^TRUSTED_PROXIES: /)]);
    expect(issuesOf({ TRUST_PROXY_HOPS: '1' })).toEqual([
      expect.stringMatching(/^TRUST_PROXY_HOPS: replaced by TRUSTED_PROXIES/),
    ]);
  });
});

describe('support agent names', () => {
  it('takes display-name or pseudonym, and names the variable otherwise', () => {
    expect(issuesOf({ SUPPORT_AGENT_NAMES: 'display-name' })).toEqual([]);
    expect(issuesOf({ SUPPORT_AGENT_NAMES: 'pseudonym' })).toEqual([]);
    expect(issuesOf({ SUPPORT_AGENT_NAMES: 'initials' })).toEqual([expect.stringMatching(/^SUPPORT_AGENT_NAMES: /)]);
  });
});
