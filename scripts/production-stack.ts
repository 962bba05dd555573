// Accord as an operator runs it, for the stages that test the built app from
// outside (scripts/smoke.ts, scripts/attack/main.ts): `npm start` with only the
// README's production variables on a fresh, empty embedded database, and the
// SMTP sink (e2e/mail-sink.ts) for its mail.
//
// Ports: PORT, EMBEDDED_PG_PORT, E2E_SMTP_PORT, E2E_MAILBOX_PORT when set, else free ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { APP_DATABASE, EMBEDDED_USER, PASSWORD_FILE, repoRoot } from './db/postgres';
import { freePort } from './free-port';

export type Env = Record<string, string | undefined>;

export type Started = ReturnType<typeof startProcess>;

const children: ChildProcess[] = [];

// Stopped by a signal (Ctrl-C, a CI timeout), the stack takes its process groups along:
// a server left behind would hold the ports and answer the next run's checks.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) if (child.exitCode === null) signalGroup(child, 'SIGTERM');
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

async function portFrom(name: string): Promise<number> {
  return process.env[name] ? Number(process.env[name]) : freePort();
}

/** A process whose output is printed with a prefix and kept, so a test can wait for a line. */
export function startProcess(name: string, command: string, args: string[], env: Env, opts: { quiet?: boolean } = {}) {
  // Its own process group, signalled as a whole: what Ctrl-C in a terminal and
  // systemd (KillMode=control-group) do. npm passes a signal to its shell only.
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  const print = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    if (opts.quiet) return;
    for (const line of text.split('\n').filter(Boolean)) console.log(`[${name}] ${line}`);
  };
  child.stdout!.on('data', print);
  child.stderr!.on('data', print);
  // 'close': the process exited and its output, which the checks read, is all in.
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    exited,
    output: () => output,
    async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before printing ${pattern}`);
        if (Date.now() > deadline) throw new Error(`${name} did not print ${pattern} within ${timeoutMs / 1000} s`);
        await sleep(200);
      }
    },
    /** SIGTERM to the process group, then the exit code of the process we started. */
    async stop(timeoutMs: number): Promise<number | string> {
      signalGroup(child, 'SIGTERM');
      const code = await Promise.race([
        exited,
        sleep(timeoutMs, undefined, { ref: false }).then(() => 'timeout' as const),
      ]);
      if (code === 'timeout') throw new Error(`${name} did not stop within ${timeoutMs / 1000} s of SIGTERM`);
      return code;
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** No process of the group outlived its leader (an orphaned server would keep the port). */
export async function expectGroupGone(child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      process.kill(-child.pid!, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`processes started by ${name} were still running 20 s after it exited`);
    await sleep(250);
  }
}

export function runCommand(command: string, args: string[], env: Env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((res) => res.ok)
      .catch(() => false);
    if (ok) return;
    if (!alive()) throw new Error(`the process serving ${url} exited`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

export type ProductionStack = {
  baseUrl: string;
  mailboxUrl: string;
  /** The environment `npm start` got: other operator CLIs run with it against the same database. */
  production: Env;
  /** The caller's environment without DATABASE_URL and NODE_ENV. */
  base: Env;
  /** The embedded database's data folder (empty at start). */
  dataDir: string;
  /** A superuser URL of the app's database, for checks from outside the app. */
  databaseUrl(): string;
  app: Started;
  sink: Started;
};

/**
 * Runs `body` against a production build of Accord (built first unless
 * `skipBuild`), then stops every process it started and removes the data folder.
 */
export async function withProductionStack<T>(
  opts: { skipBuild: boolean; step: (message: string) => void; quietApp?: boolean },
  body: (stack: ProductionStack) => Promise<T>,
): Promise<T> {
  const { step } = opts;
  const [appPort, pgPort, smtpPort, mailboxPort] = await Promise.all([
    portFrom('PORT'),
    portFrom('EMBEDDED_PG_PORT'),
    portFrom('E2E_SMTP_PORT'),
    portFrom('E2E_MAILBOX_PORT'),
  ]);
  // Reachable by the postgres OS user when we run as root (scripts/db/postgres.ts).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-prod-'));
  fs.chmodSync(tmp, 0o755);
  const dataDir = path.join(tmp, 'postgres');
  const baseUrl = `http://localhost:${appPort}`;
  const mailboxUrl = `http://127.0.0.1:${mailboxPort}`;

  try {
    // Nothing from the caller's database or mode: only what the README names.
    const base: Env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !['DATABASE_URL', 'NODE_ENV'].includes(name)),
      ),
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS: '',
    };

    if (!opts.skipBuild) {
      step('npm run build');
      await runCommand('npm', ['run', 'build'], base);
    }

    step(`mail sink: SMTP 127.0.0.1:${smtpPort}, API ${mailboxUrl}`);
    const sink = startProcess(
      'mail-sink',
      'npm',
      ['run', 'mail-sink', '--', '--smtp-port', String(smtpPort), '--api-port', String(mailboxPort)],
      base,
    );
    await waitForHttp(`${mailboxUrl}/health`, 30_000, () => sink.child.exitCode === null);

    // The README's production variables, and where the embedded database keeps its data.
    const production: Env = {
      ...base,
      AUTH_SECRET: randomBytes(32).toString('base64'),
      APP_URL: baseUrl,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PORT: String(appPort),
      EMBEDDED_PG_PORT: String(pgPort),
      EMBEDDED_PG_DATA: dataDir,
    };
    const taken = await fetch(`${baseUrl}/api/health/live`).then(
      () => true,
      () => false,
    );
    if (taken) throw new Error(`something already answers on ${baseUrl}: a server left from an earlier run?`);
    step(`npm start on ${baseUrl}, embedded PostgreSQL in ${dataDir} (empty), port ${pgPort}`);
    const app = startProcess('app', 'npm', ['start'], production, { quiet: opts.quietApp });
    await waitForHttp(`${baseUrl}/api/health/ready`, 180_000, () => app.child.exitCode === null);

    const databaseUrl = () => {
      const password = fs.readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
      return `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@localhost:${pgPort}/${APP_DATABASE}`;
    };
    return await body({ baseUrl, mailboxUrl, production, base, dataDir, databaseUrl, app, sink });
  } finally {
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) signalGroup(child, 'SIGTERM');
    // The app stops its embedded PostgreSQL before exiting: let it, then remove the folder.
    await Promise.race([
      Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve)))),
      sleep(30_000, undefined, { ref: false }),
    ]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
