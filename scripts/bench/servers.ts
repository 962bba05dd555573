// The two production servers a run compares: Accord as `npm start` runs it
// (`next build`, then scripts/build-server.ts; dist/http-server.mjs, the HTTP
// server in front of Next.js) and the bare app (`next build` and `next start`
// in bench/baseline/), each its own process and process group, both built
// with the repository's next binary.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoRoot } from '../db/postgres';
import { onCleanup } from './cleanup';
import { baselineDir, BENCH_AUTH_SECRET, BenchError, fail, log, nextBin, options } from './options';
import { nodeCommand, prioritiseSession } from './priority';

/** accord-off: a second Accord server with PERSONALIZATION_ENABLED=false (`--personalization`). */
export type ServerName = 'accord' | 'accord-off' | 'baseline';

export type App = {
  name: ServerName;
  /** The folder `next build` and `next start` run in. */
  dir: string;
  /** Answers 200 once the server is ready. */
  readyPath: string;
  /** Its process environment besides NODE_ENV, PORT and the database. */
  env(origin: string): Record<string, string>;
  /** Node's arguments that start its production server on the port. */
  serverArgs(port: number): string[];
  /** A step after `next build`, always run (it is quick): the files serverArgs needs. */
  afterBuild?: () => Promise<void>;
  /** Its server's name in the log. */
  label: string;
};

export const accordApp: App = {
  name: 'accord',
  dir: repoRoot,
  readyPath: '/api/health',
  env: (origin) => ({
    AUTH_SECRET: BENCH_AUTH_SECRET,
    APP_URL: origin,
    // One token lasts the whole run (it is renewed anyway when half gone).
    API_TOKEN_TTL_SECONDS: '3600',
    // Webhooks are measured by a worker in the bench process, after the rounds: none runs in the server.
    WEBHOOK_WORKER: 'off',
    SHUTDOWN_DELAY_MS: '0',
  }),
  // What `npm start` runs (scripts/serve.ts spawns it once the database is
  // ready): the request id, X-Forwarded-For rebuilt and a log line per request
  // are part of every request's cost.
  serverArgs: () => ['--enable-source-maps', path.join(repoRoot, 'dist', 'http-server.mjs')],
  afterBuild: () => run(process.execPath, [tsxCli, path.join('scripts', 'build-server.ts')], repoRoot, process.env),
  label: 'dist/http-server.mjs (accord)',
};

/** The same build and server, personalization switched off: what the personalized /account is compared with. */
export const accordOffApp: App = {
  ...accordApp,
  name: 'accord-off',
  env: (origin) => ({ ...accordApp.env(origin), PERSONALIZATION_ENABLED: 'false' }),
  label: 'dist/http-server.mjs (accord, PERSONALIZATION_ENABLED=false)',
};

export const baselineApp: App = {
  name: 'baseline',
  dir: baselineDir,
  readyPath: '/static',
  env: () => ({}),
  serverArgs: (port) => [nextBin, 'start', '-p', String(port)],
  label: 'next start (baseline)',
};

const tsxCli = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export type Server = { name: ServerName; origin: string; child: ChildProcess; output: string[] };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new BenchError(
              `${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} in ${cwd} failed (${signal ?? `exit ${code}`})`,
            ),
          ),
    );
  });
}

/**
 * Another `next build` writing dir/.next, or a `next start` serving it:
 * rebuilding would break both (next dev uses .next/dev and is fine).
 */
function otherNextUsingBuild(dir: string): { pid: number; command: string } | null {
  const root = fs.realpathSync(dir);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // `next start`, `node …/bin/next build`, `npm exec next start`, `sh -c "'next' start -p 3100"`
      const isNext =
        args.some((arg, i) => /(^|\/)next$/.test(arg) && /^(build|start)$/.test(args[i + 1] ?? '')) ||
        args.some((arg) => /^'?next'?\s+(build|start)(\s|$)/.test(arg)) ||
        args.some((arg) => /(^|\/)dist\/http-server\.mjs$/.test(arg));
      if (!isNext) continue;
      const command = args.join(' ');
      if (fs.realpathSync(`/proc/${entry}/cwd`) === root) return { pid: Number(entry), command };
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

/** The app's production build (unless --no-build and one exists), which must have the routes given. */
export async function build(app: App, routes: string[]): Promise<void> {
  const nextDir = path.join(app.dir, '.next');
  const hasBuild = fs.existsSync(path.join(nextDir, 'BUILD_ID'));
  if (options.noBuild && hasBuild) {
    log(`--no-build: using the existing build in ${path.relative(repoRoot, nextDir)}`);
  } else {
    if (options.noBuild) log(`--no-build given, but ${path.relative(repoRoot, nextDir)} has no build yet: building`);
    const other = otherNextUsingBuild(app.dir);
    if (other) {
      fail(
        `another process uses the build in ${nextDir} (PID ${other.pid}: ${other.command}); ` +
          `rebuilding now would break it. Wait for it to finish${hasBuild ? ', or measure the existing build with --no-build' : ' and run again'}.`,
      );
    }
    const started = Date.now();
    log(`next build (${app.name}, in ${path.relative(repoRoot, app.dir) || '.'})`);
    await run(process.execPath, [nextBin, 'build'], app.dir, {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    });
    log(`next build (${app.name}) took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await app.afterBuild?.();
  const manifest = JSON.parse(fs.readFileSync(path.join(nextDir, 'app-path-routes-manifest.json'), 'utf8')) as Record<
    string,
    string
  >;
  const built = new Set(Object.values(manifest));
  for (const route of routes) {
    if (!built.has(route)) fail(`the build in ${nextDir} has no ${route} route: run without --no-build`);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    // '::' also takes IPv4 where the machine is dual-stack, as next start does.
    server.listen({ port, host: '::', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) if (await portIsFree(port)) return port;
  fail(`no free port in ${from}-${from + 99}`);
}

/** `next start` of the app's build on the first free port from `fromPort`, ready when this returns. */
export async function startServer(
  app: App,
  fromPort: number,
  databaseUrl: string,
  cpuProfileDir?: string,
): Promise<Server> {
  const port = await freePort(fromPort);
  const origin = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    ...app.env(origin),
  };
  // Production requires an SMTP server, but these pages never send mail: a
  // closed local port keeps a developer's SMTP out of it all the same.
  env.SMTP_URL = 'smtp://127.0.0.1:9';
  const nodeFlags = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const [command, args] = nodeCommand([...nodeFlags, ...app.serverArgs(port)]);
  // Its own process group, so stopping it also stops anything it forks.
  const child = spawn(command, args, { cwd: app.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  prioritiseSession(child.pid);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (options.verbose) process.stdout.write(text.replace(/^/gm, `[${app.name}] `));
    output.push(text);
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const server: Server = { name: app.name, origin, child, output };
  onCleanup(() => stopServer(server));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      fail(
        `${app.label} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready:\n${output.join('').trim()}`,
      );
    }
    try {
      const res = await fetch(origin + app.readyPath, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      fail(`${app.label} did not answer ${app.readyPath} within 60 s:\n${output.join('').trim()}`);
    await sleep(200);
  }
  log(`${app.label} is ready on ${origin} (PID ${child.pid}${options.nice === null ? '' : `, nice ${options.nice}`})`);
  return server;
}

export async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const group = -child.pid;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (timedOut) {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
  log(`${[accordApp, accordOffApp, baselineApp].find((a) => a.name === server.name)!.label} stopped`);
}
