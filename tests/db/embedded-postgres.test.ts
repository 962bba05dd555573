import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { refuseKnownSuperuserPassword } from '@/server/apps/db-roles';

import {
  PASSWORD_FILE,
  repoRoot,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
  type EmbeddedServer,
} from '../../scripts/db/postgres';
import { freePort } from '../../scripts/free-port';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function queryOne(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(sql);
    return rows[0] ? Object.values(rows[0])[0] : undefined;
  } finally {
    await client.end();
  }
}

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function postmasterPid(dataDir: string): number | null {
  try {
    return Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'), 10);
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function writeLock(dataDir: string, pid: number, port: number) {
  const now = Math.floor(Date.now() / 1000);
  fs.writeFileSync(
    path.join(dataDir, 'postmaster.pid'),
    `${pid}\n${dataDir}\n${now}\n${port}\n/tmp\nlocalhost\n  0 0\nready   \n`,
  );
}

// Inside <repo>/.data, like the real data folders: as root, PostgreSQL runs as
// the postgres user and must be able to reach it.
const dataDir = path.join(repoRoot, '.data', 'test-tmp', `embedded-${process.pid}-${Date.now()}`);

// initdb and starts take seconds on a loaded 2-core machine.
describe('startEmbeddedPostgres', { timeout: 60_000 }, () => {
  let port: number;
  const running: EmbeddedServer[] = [];

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    // Folders of earlier runs that were killed before their afterAll: stop their server, remove them.
    for (const name of fs.readdirSync(path.dirname(dataDir))) {
      const owner = Number(/^embedded-(\d+)-/.exec(name)?.[1]);
      if (!owner || isAlive(owner)) continue;
      const dir = path.join(path.dirname(dataDir), name);
      await stopEmbeddedPostgres(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    port = await freePort();
  });

  afterAll(async () => {
    for (const server of running) await server.stop().catch(() => {});
    await stopEmbeddedPostgres(dataDir); // the orphan of the -9 test
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('initialises a new data folder, then reuses the server already running on it', async () => {
    const logs: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, port, log: (m) => logs.push(m) });
    running.push(first);
    expect(first.reused).toBe(false);
    expect(logs.join('\n')).toContain('created a new PostgreSQL data folder');
    expect(await answers(first.adminUrl)).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir, port, log: (m) => logs.push(m) });
    expect(second).toMatchObject({ reused: true, port, adminUrl: first.adminUrl });
    await second.stop(); // does nothing: the server belongs to `first`
    expect(await answers(first.adminUrl)).toBe(true);

    await first.stop();
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  it('generates its superuser password, keeps it in the data folder, listens on localhost only, and replaces a well-known one', async () => {
    const server = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
    running.push(server);
    const file = path.join(dataDir, PASSWORD_FILE);
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(new URL(server.adminUrl).password).toBe(password);
    const wellKnown = withPassword(server.adminUrl, 'postgres');
    expect(await answers(wellKnown)).toBe(false);
    expect(await queryOne(server.adminUrl, 'SHOW listen_addresses')).toBe('localhost');
    await expect(refuseKnownSuperuserPassword(server.adminUrl)).resolves.toBeUndefined();

    // A data folder from before this release: the well-known password, no file.
    await queryOne(server.adminUrl, "ALTER ROLE postgres PASSWORD 'postgres'");
    fs.rmSync(file);
    await expect(refuseKnownSuperuserPassword(server.adminUrl)).rejects.toThrow(
      /accepts the superuser "postgres" with the password "postgres"/,
    );
    await server.stop();

    const logs: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir, port, log: (m) => logs.push(m) });
    running.push(again);
    expect(logs.join('\n')).toContain('replaced the well-known superuser password');
    expect(await answers(wellKnown)).toBe(false);
    expect(fs.readFileSync(file, 'utf8').trim()).not.toBe(password);
    expect(await answers(again.adminUrl)).toBe(true);
    await again.stop();
  });

  it('recovers from a stale postmaster.pid whose process is gone', async () => {
    const deadPid = spawnSync('true').pid!;
    writeLock(dataDir, deadPid, port);

    const logs: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port, log: (m) => logs.push(m) });
    running.push(server);
    expect(server.reused).toBe(false);
    expect(logs.join('\n')).toContain(
      `found a stale PostgreSQL lock from PID ${deadPid} (process no longer running); removing it and starting again`,
    );
    expect(await answers(server.adminUrl)).toBe(true);
    await server.stop();
  });

  it('refuses, with what to do, when the lock names a live process that is not a reachable PostgreSQL', async () => {
    writeLock(dataDir, process.pid, port);
    await expect(startEmbeddedPostgres({ dataDir, port, log: () => {} })).rejects.toThrow(
      /postmaster\.pid names PID \d+, which is now another program .*delete .*postmaster\.pid and try again/s,
    );
    fs.rmSync(path.join(dataDir, 'postmaster.pid'));
  });

  it('reuses the server left running when the process that started it was killed with -9', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/start-embedded.ts', import.meta.url)),
        dataDir,
        String(port),
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const orphan = postmasterPid(dataDir)!;
    expect(() => process.kill(orphan, 0)).not.toThrow();

    const logs: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port, log: (m) => logs.push(m) });
    expect(server.reused).toBe(true);
    expect(await answers(server.adminUrl)).toBe(true);
    // afterAll stops the orphan.
  });
});
