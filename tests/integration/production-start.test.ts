import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

// The start-up commands as an operator runs them, with NODE_ENV=production and a
// variable missing: each must stop, naming it, before any database is touched
// (the embedded database's data folder is never created).
const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-refusal-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const COMMANDS = {
  'npm start': ['scripts/serve.ts', 'start'],
  'npm run worker': ['scripts/worker.ts'],
  'npm run db:migrate': ['scripts/db/cli.ts', 'deploy'],
} as const;

const complete = {
  NODE_ENV: 'production',
  AUTH_SECRET: 'x'.repeat(32),
  APP_URL: 'https://accounts.example.com',
  SMTP_URL: 'smtp://smtp.example.com:587',
};

async function start(command: keyof typeof COMMANDS, env: Record<string, string | undefined>) {
  const dataDir = path.join(tmp, `data-${Math.random().toString(36).slice(2)}`);
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    ...env,
    NODE_OPTIONS: '',
    EMBEDDED_PG_DATA: dataDir,
    // Nothing listens there: a start that got past the check would fail differently.
    EMBEDDED_PG_PORT: '1',
  };
  // This worker's database is not the start's: only what the case passes.
  for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL']) if (!(name in env)) delete childEnv[name];
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  try {
    await run(process.execPath, ['--import', 'tsx', '--conditions=react-server', ...COMMANDS[command]], {
      cwd: root,
      env: childEnv as NodeJS.ProcessEnv,
      timeout: 60_000,
    });
    return { code: 0, stderr: '', dataDirCreated: fs.existsSync(dataDir) };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr, dataDirCreated: fs.existsSync(dataDir) };
  }
}

describe('a production start with an unsafe environment', () => {
  for (const command of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
    it(`${command} stops before touching any database, naming each missing variable`, async () => {
      const result = await start(command, { ...complete, APP_URL: undefined, SMTP_URL: undefined });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('refused to start, before touching any database');
      expect(result.stderr).toMatch(/APP_URL: required in production\. Set it to/);
      expect(result.stderr).toMatch(/SMTP_URL: required in production/);
      expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(result.dataDirCreated).toBe(false);
    }, 90_000);
  }

  for (const command of Object.keys(COMMANDS) as Array<keyof typeof COMMANDS>) {
    it(`${command} on an external database needs the owner's MIGRATION_DATABASE_URL beside the app's DATABASE_URL`, async () => {
      // Nothing listens on port 1: a start that got past the check would fail to connect instead.
      const runtime = 'postgresql://accord_app:secret@127.0.0.1:1/accord';
      for (const owner of [undefined, runtime]) {
        const result = await start(command, { ...complete, DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('refused to start, before touching any database');
        expect(result.stderr).toMatch(
          /MIGRATION_DATABASE_URL: required in production, with another user than DATABASE_URL/,
        );
      }
    }, 90_000);
  }

  it('npm start refuses an http:// APP_URL other than localhost, and a missing AUTH_SECRET', async () => {
    const result = await start('npm start', {
      ...complete,
      NODE_ENV: undefined, // npm start means production
      AUTH_SECRET: undefined,
      APP_URL: 'http://accounts.example.com',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AUTH_SECRET: required in production/);
    expect(result.stderr).toMatch(/APP_URL: must be an https:\/\/ address in production/);
    expect(result.dataDirCreated).toBe(false);
  }, 90_000);
});
