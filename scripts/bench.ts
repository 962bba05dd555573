// `npm run bench`: requests/s and latency of the production build on real
// PostgreSQL, and the first-load JavaScript of the customer pages.
//
//   npm run bench [-- --no-build] [--rounds=5] [--duration=5] [--warmup=3] [--connections=20] [--port=3200]
//   npm run bench -- --breakdown
//     two more targets between the minimal dynamic page and /account: the same
//     page reading the session through Prisma as Auth.js's adapter does
//     (/bench/prisma), and through Auth.js's auth() (/bench/auth)
//   npm run bench -- --nice=-10
//     run next start and autocannon at that scheduling priority, as processes
//     and as sessions (autogroups); negative needs root. On a machine busy with
//     other work they then get the cores first (PostgreSQL keeps its own).
//   npm run bench -- --no-build --profile=account [--duration=20]
//     instead of the rounds: load one target (static, dynamic, signin, account,
//     customer, api) under Node's CPU profiler and print where the server's
//     time goes; the .cpuprofile is kept in .data/bench/ for Chrome DevTools.
//   npm run bench -- --webhooks=200 --webhook-rate=50
//     after the rounds, that many profile changes at that rate (0: none), each
//     timed from its commit to its webhook's arrival at a receiver in this process
//
// The shared store's API (issue 5): GET /api/v1/customers/{id} with a valid
// bearer token of an app registered here ("bench-api", a rate limit no run
// reaches), against its baseline /bench/customer/{id}: the same server and
// the same customer row in one SELECT, without token, consent policy, access
// log or rate limit. Both walk through all 10,000 customers in turn (one
// counter shared by the connections), so the reads spread over the table and
// its index as an app's would; one id would measure one hot row and one hot
// page of the access log's index instead.
//
// Database: DATABASE_URL when set (never a database named "accord"), else the
// database `accord_bench` on the embedded server of `npm run dev`
// (.data/postgres), started if needed and stopped again if this script started it.
// It is migrated and topped up to 10,000 customers (bench-N@bench.example.test).
//
// The four targets are measured in interleaved rounds (each round runs every
// target once, the starting target rotating), so machine noise hits all alike;
// the figures are medians across rounds. autocannon runs in a child process,
// one per run, so load generation never shares an event loop with this script;
// it still shares the machine's cores with the server and PostgreSQL, which is
// why the server's and the database's CPU time per request are printed too.
//
// Run with `tsx --conditions=react-server` so server/ modules load outside Next.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { SourceMap } from 'node:module';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import {
  APP_DATABASE,
  createDatabaseIfMissing,
  DEFAULT_EMBEDDED_PORT,
  redactUrl,
  repoRoot,
  startEmbeddedPostgres,
  databaseUrl as withDatabase,
  type EmbeddedServer,
} from './db/postgres';
import { migrateDeploy } from './db/schema-engine';

const BENCH_DATABASE = 'accord_bench';
const CUSTOMERS = 10_000;
/** The customer whose session /account and the minimal dynamic page use. */
const SESSION_CUSTOMER = 1;
/** A fixed secret for the benchmark's server only; it signs nothing that leaves this machine. */
const BENCH_AUTH_SECRET = 'accord-bench-only-secret-not-for-production-0123456789';
const SESSION_COOKIE = 'authjs.session-token';
const GOAL_ACCOUNT_VS_DYNAMIC = 0.8;
const GOAL_API_VS_BASELINE = 0.7;
const GOAL_WEBHOOK_P99_MS = 1_000;
/** The apps this benchmark registers, and removes again, in the bench database. */
const API_APP = 'bench-api';
const WEBHOOK_APP = 'bench-webhooks';
/** Requests per minute: far above what a run sends, so the API is measured, not its 429s. */
const API_RATE_LIMIT = 1_000_000;
const GOAL_JS_ABOVE_EMPTY = 40_000;

class BenchError extends Error {}
function fail(message: string): never {
  throw new BenchError(message);
}

const { values: opts } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    port: { type: 'string', default: '3200' },
    verbose: { type: 'boolean', default: false },
    profile: { type: 'string' },
    breakdown: { type: 'boolean', default: false },
    nice: { type: 'string' },
    webhooks: { type: 'string', default: '200' },
    'webhook-rate': { type: 'string', default: '50' },
  },
});
const ROUNDS = positiveInt('rounds');
const DURATION_S = positiveInt('duration');
const WARMUP_S = positiveInt('warmup');
const CONNECTIONS = positiveInt('connections');
const WEBHOOK_CHANGES = Number(opts.webhooks);
if (!Number.isInteger(WEBHOOK_CHANGES) || WEBHOOK_CHANGES < 0 || WEBHOOK_CHANGES > 5_000)
  fail(`--webhooks must be an integer from 0 to 5000, got "${opts.webhooks}"`);
const WEBHOOK_RATE = positiveInt('webhook-rate');
const NICE = opts.nice === undefined ? null : Number(opts.nice);
if (NICE !== null && (!Number.isInteger(NICE) || NICE < -20 || NICE > 19))
  fail(`--nice must be an integer from -20 to 19, got "${opts.nice}"`);

/** A Node.js command, started through nice(1) when --nice is given (so every thread inherits the priority). */
function nodeCommand(args: string[]): [string, string[]] {
  return NICE === null ? [process.execPath, args] : ['nice', ['-n', String(NICE), process.execPath, ...args]];
}

/**
 * With the kernel's autogroups (sched_autogroup_enabled), nice only ranks
 * processes of one session against each other: each session gets its fair
 * share whatever its nice. A process started in its own session (detached)
 * is therefore also given that nice as its session's (autogroup) priority.
 */
function prioritiseSession(pid: number | undefined): void {
  if (NICE === null || !pid) return;
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(NICE));
  } catch {
    // no autogroups here, or not allowed: nice alone applies
  }
}

function positiveInt(name: keyof typeof opts): number {
  const value = Number(opts[name]);
  if (!Number.isInteger(value) || value <= 0) fail(`--${name} must be a positive integer, got "${opts[name]}"`);
  return value;
}

const log = (msg: string) => console.log(`[bench] ${msg}`);

// ---------------------------------------------------------------------------
// Cleanup: everything started here is stopped here, also on Ctrl-C.

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`[bench] cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n[bench] ${signal}: stopping`);
    void cleanup().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------
// Database

type BenchDatabase = { url: string; postmasterPid: number | null };

async function prepareDatabase(): Promise<BenchDatabase> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    const name = decodeURIComponent(new URL(fromEnv).pathname.slice(1));
    if (name === APP_DATABASE) {
      fail(
        `DATABASE_URL points at the database "${APP_DATABASE}", the development database: the benchmark adds ${CUSTOMERS} ` +
          `fake customers. Unset DATABASE_URL (the bench then uses "${BENCH_DATABASE}" on the embedded server) or point it elsewhere.`,
      );
    }
    log(`database: ${redactUrl(fromEnv)} (DATABASE_URL)`);
    return { url: fromEnv, postmasterPid: null };
  }
  const port = Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
  const dataDir = path.join(repoRoot, '.data', 'postgres');
  const server: EmbeddedServer = await startEmbeddedPostgres({ dataDir, port, log: (m) => log(`[postgres] ${m}`) });
  if (!server.reused) cleanups.push(() => server.stop());
  if (await createDatabaseIfMissing(server.adminUrl, BENCH_DATABASE)) log(`created database "${BENCH_DATABASE}"`);
  const url = withDatabase(server.adminUrl, BENCH_DATABASE);
  log(
    `database: ${redactUrl(url)} (${server.reused ? 'embedded server already running' : 'embedded server started for this run'})`,
  );
  const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  return { url, postmasterPid: Number.isInteger(pid) ? pid : null };
}

// ---------------------------------------------------------------------------
// Build and server

const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new BenchError(
              `${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} failed (${signal ?? `exit ${code}`})`,
            ),
          ),
    );
  });
}

/**
 * Another `next build` writing .next, or a `next start` serving it, in this
 * folder: rebuilding would break both (next dev uses .next/dev and is fine).
 */
function otherNextUsingBuild(): { pid: number; command: string } | null {
  const root = fs.realpathSync(repoRoot);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // `next start`, `node …/bin/next build`, `npm exec next start`, `sh -c "'next' start -p 3100"`
      const isNext =
        args.some((arg, i) => /(^|\/)next$/.test(arg) && /^(build|start)$/.test(args[i + 1] ?? '')) ||
        args.some((arg) => /^'?next'?\s+(build|start)(\s|$)/.test(arg));
      if (!isNext) continue;
      const command = args.join(' ');
      if (fs.realpathSync(`/proc/${entry}/cwd`) === root) return { pid: Number(entry), command };
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

async function build(): Promise<void> {
  const hasBuild = fs.existsSync(path.join(repoRoot, '.next', 'BUILD_ID'));
  if (opts['no-build'] && hasBuild) {
    log('--no-build: using the existing .next build');
  } else {
    if (opts['no-build']) log('--no-build given, but there is no .next build yet: building');
    const other = otherNextUsingBuild();
    if (other) {
      fail(
        `another process uses the build in ${path.join(repoRoot, '.next')} (PID ${other.pid}: ${other.command}); ` +
          `rebuilding now would break it. Wait for it to finish${hasBuild ? ', or measure the existing build with --no-build' : ' and run again'}.`,
      );
    }
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
    // The same build as `npm run build`: the bench routes are switched on at run time only.
    delete env.BENCH_ROUTES;
    const started = Date.now();
    await run(process.execPath, [nextBin, 'build'], env);
    log(`next build took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const routes = JSON.parse(
    fs.readFileSync(path.join(repoRoot, '.next', 'app-path-routes-manifest.json'), 'utf8'),
  ) as Record<string, string>;
  const built = new Set(Object.values(routes));
  const needed = [
    '/bench/static',
    '/bench/dynamic',
    '/signin',
    '/account',
    '/bench/customer/[id]',
    '/api/oauth/token',
    '/api/v1/customers/[id]',
    ...(opts.breakdown ? ['/bench/prisma', '/bench/auth'] : []),
  ];
  for (const route of needed) {
    if (!built.has(route)) fail(`the build in .next has no ${route} route: run without --no-build`);
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

async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) if (await portIsFree(port)) return port;
  fail(`no free port in ${from}-${from + 99}`);
}

type Server = { origin: string; child: ChildProcess; output: string[] };

async function startServer(databaseUrl: string, cpuProfileDir?: string): Promise<Server> {
  const port = await freePort(Number(opts.port));
  const origin = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: BENCH_AUTH_SECRET,
    APP_URL: origin,
    PORT: String(port),
    BENCH_ROUTES: '1',
    // One token lasts the whole run (it is renewed anyway when half gone).
    API_TOKEN_TTL_SECONDS: '3600',
    // Webhooks are measured by a worker in this process, after the rounds: none runs in the server.
    WEBHOOK_WORKER: 'off',
  };
  // Mails are never sent by these pages; keep a developer's SMTP out of it anyway.
  delete env.SMTP_URL;
  // Its own process group, so stopping it also stops anything it forks.
  const nodeFlags = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const [command, args] = nodeCommand([...nodeFlags, nextBin, 'start', '-p', String(port)]);
  const child = spawn(command, args, {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prioritiseSession(child.pid);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (opts.verbose) process.stdout.write(text.replace(/^/gm, '[next] '));
    output.push(text);
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  cleanups.push(() => stopServer(child));
  const server = { origin, child, output };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      fail(
        `next start exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready:\n${output.join('').trim()}`,
      );
    }
    try {
      const res = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) fail(`next start did not answer /api/health within 60 s:\n${output.join('').trim()}`);
    await sleep(200);
  }
  log(`next start is ready on ${origin} (PID ${child.pid}${NICE === null ? '' : `, nice ${NICE}`})`);
  return server;
}

async function stopServer(child: ChildProcess): Promise<void> {
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
  log('next start stopped');
}

// ---------------------------------------------------------------------------
// CPU accounting from /proc (clock ticks → ms)

const TICK_MS = 10; // CLK_TCK is 100 on Linux

function readStat(pid: number): { ppid: number; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU ms used so far by a process and all its descendants still running. */
function treeCpuMs(rootPid: number | null | undefined): number {
  if (!rootPid) return 0;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const inTree = new Set<number>([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of inTree) ticks += stats.get(pid)?.ticks ?? 0;
  return ticks * TICK_MS;
}

/** The whole machine's busy CPU ms (all cores) from /proc/stat. */
function machineBusyMs(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * TICK_MS;
}

// ---------------------------------------------------------------------------
// Load generation: autocannon in a child process per run

const AUTOCANNON_RUNNER = `
const autocannon = require('autocannon');
const options = JSON.parse(process.argv[1]);
if (options.rotate) {
  // Each request takes the next id of the file, one counter for all connections.
  const ids = require('fs').readFileSync(options.rotate.idsFile, 'utf8').split('\\n').filter(Boolean);
  const template = options.rotate.path;
  let next = Math.floor(Math.random() * ids.length);
  options.requests = [{ setupRequest: (req) => ({ ...req, path: template.replace('{id}', ids[next++ % ids.length]) }) }];
  delete options.rotate;
}
const before = process.cpuUsage();
autocannon(options, (error, r) => {
  if (error) { process.stderr.write(String((error && error.stack) || error)); process.exit(1); }
  const cpu = process.cpuUsage(before);
  process.stdout.write(JSON.stringify({
    rps: r.requests.average, total: r.requests.total, duration: r.duration,
    p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
    statusCodes: r.statusCodeStats, cpuMs: (cpu.user + cpu.system) / 1000,
  }));
});
`;

type LoadResult = {
  rps: number;
  total: number;
  duration: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, { count: number }>;
  cpuMs: number;
};

/** Load generators running now, stopped on Ctrl-C. */
const running = new Set<ChildProcess>();
cleanups.push(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
});

function autocannon(
  url: string,
  headers: Record<string, string>,
  durationS: number,
  rotate?: { path: string; idsFile: string },
): Promise<LoadResult> {
  const options = {
    url,
    headers,
    connections: CONNECTIONS,
    duration: durationS,
    pipelining: 1,
    timeout: 30,
    ...(rotate ? { rotate } : {}),
  };
  return new Promise((resolve, reject) => {
    const [command, args] = nodeCommand(['-e', AUTOCANNON_RUNNER, JSON.stringify(options)]);
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own session only to give it its own scheduling priority (--nice).
      detached: NICE !== null,
    });
    prioritiseSession(child.pid);
    running.add(child);
    child.on('exit', () => running.delete(child));
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new BenchError(`autocannon failed (exit ${code}): ${err.trim()}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new BenchError(`autocannon printed no result: ${out.slice(0, 500)} ${err.slice(0, 500)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Targets

type Target = {
  key: string;
  label: string;
  /** With "{id}": each request takes the next id of idsFile (one per line). */
  path: string;
  idsFile?: string;
  /** The id the check's request uses. */
  sampleId?: string;
  headers: Record<string, string>;
  /** Before each run of this target (a token to renew…). */
  prepare?: () => Promise<void>;
  /** Checks one real response before any load; returns a reason when wrong. */
  check(res: Response, body: string): string | null;
};

const samplePath = (target: Target) => target.path.replace('{id}', target.sampleId ?? '');

type Sample = LoadResult & { serverCpuMs: number; dbCpuMs: number; machineBusyMs: number };

async function verify(origin: string, target: Target): Promise<void> {
  await target.prepare?.();
  const res = await fetch(origin + samplePath(target), { headers: target.headers, redirect: 'manual' });
  const body = await res.text();
  const problem =
    res.status !== 200
      ? `status ${res.status}${res.headers.get('location') ? ` → ${res.headers.get('location')}` : ''}`
      : target.check(res, body);
  if (problem)
    fail(
      `${target.label} (${samplePath(target)}) is not what the benchmark expects: ${problem}\n${body.slice(0, 600)}`,
    );
}

async function measure(
  origin: string,
  target: Target,
  durationS: number,
  db: BenchDatabase,
  server: Server,
): Promise<Sample> {
  const cpu0 = treeCpuMs(server.child.pid);
  const db0 = treeCpuMs(db.postmasterPid);
  await target.prepare?.();
  const busy0 = machineBusyMs();
  const rotate = target.idsFile ? { path: target.path, idsFile: target.idsFile } : undefined;
  const result = await autocannon(rotate ? origin : origin + target.path, target.headers, durationS, rotate);
  const serverCpuMs = treeCpuMs(server.child.pid) - cpu0;
  const dbCpuMs = treeCpuMs(db.postmasterPid) - db0;
  const busy = machineBusyMs() - busy0;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0 || result.total === 0) {
    fail(
      `${target.label}: ${result.total} responses, ${result.non2xx} not 2xx, ${result.errors} errors, ${result.timeouts} timeouts ` +
        `(status codes ${JSON.stringify(result.statusCodes)})\n${server.output.join('').trim().slice(-2000)}`,
    );
  }
  return { ...result, serverCpuMs, dbCpuMs, machineBusyMs: busy };
}

// ---------------------------------------------------------------------------
// First-load JavaScript: the scripts each page's HTML loads, gzipped here.

type JsSize = {
  page: string;
  status: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
  htmlGzipBytes: number;
};

const gzCache = new Map<string, { raw: number; gz: number }>();

async function firstLoadJs(
  origin: string,
  page: string,
  headers: Record<string, string>,
  required: boolean,
): Promise<JsSize> {
  const res = await fetch(origin + page, { headers, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) {
    if (required) fail(`${page}: status ${res.status} while reading its scripts`);
    return { page, status: `skipped: status ${res.status}`, files: 0, rawBytes: 0, gzipBytes: 0, htmlGzipBytes: 0 };
  }
  const urls = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>/g)) {
    const attributes = match[1] ?? '';
    // noModule scripts (the legacy polyfills) are never fetched by the browsers that run modules.
    if (/\bnomodule\b/i.test(attributes)) continue;
    const src = (/\bsrc="([^"]+)"/.exec(attributes)?.[1] ?? '').replaceAll('&amp;', '&');
    if (src.includes('/_next/static/') && /\.js(\?|$)/.test(src)) urls.add(new URL(src, origin).pathname);
  }
  if (urls.size === 0) fail(`${page}: found no /_next/static/*.js script in its HTML`);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const url of urls) {
    let size = gzCache.get(url);
    if (!size) {
      const file = await fetch(origin + url);
      if (!file.ok) fail(`${url} (loaded by ${page}): status ${file.status}`);
      const bytes = Buffer.from(await file.arrayBuffer());
      // zlib's default level, the one next start's compression sends.
      size = { raw: bytes.length, gz: gzipSync(bytes).length };
      gzCache.set(url, size);
    }
    rawBytes += size.raw;
    gzipBytes += size.gz;
  }
  return {
    page,
    status: 'ok',
    files: urls.size,
    rawBytes,
    gzipBytes,
    htmlGzipBytes: gzipSync(Buffer.from(html)).length,
  };
}

// ---------------------------------------------------------------------------
// --profile: where the server's CPU time goes under load on one target

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapFor(url: string): SourceMap | null {
  if (!sourceMaps.has(url)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
    } catch {
      // no map: keep the bundled location
    }
    sourceMaps.set(url, map);
  }
  return sourceMaps.get(url) ?? null;
}

/** What part of Next.js (or of React inside it) a source file of its runtime is. */
function nextPart(source: string): string {
  if (/react-server-dom-[a-z]+-server/.test(source)) return 'react: RSC payload serialisation (flight server)';
  if (/react-server-dom-[a-z]+-client/.test(source)) return 'react: RSC payload decoding for SSR (flight client)';
  if (/react-dom-server|react-dom\/cjs\/react-dom-server/.test(source)) return 'react-dom: HTML rendering (Fizz)';
  if (/compiled\/react/.test(source)) return 'react: other';
  if (/compiled\/compression/.test(source)) return 'next: response gzip compression';
  if (/server\/app-render\//.test(source)) return 'next: app-render';
  if (
    /server\/(web|lib\/router-utils|lib\/router-server|base-server|next-server|route-modules|request|response-cache|lib\/incremental-cache)/.test(
      source,
    )
  )
    return 'next: server, routing, proxy, caches';
  if (/client\//.test(source)) return 'next: client components rendered on the server';
  return 'next: other';
}

/** The original file and the package (or app folder) a bundled frame comes from. */
function origin(frame: CallFrame): { where: string; owner: string } {
  const { url, functionName } = frame;
  if (!url)
    return { where: functionName || '(native)', owner: functionName.startsWith('(') ? functionName : '(native code)' };
  if (url.startsWith('node:')) return { where: url, owner: 'node: core modules' };
  let source = url;
  let line = frame.lineNumber + 1;
  if (url.startsWith('file://')) {
    const entry = sourceMapFor(url)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      source = entry.originalSource;
      line = entry.originalLine + 1;
    }
  }
  source = decodeURIComponent(source.replace(/^turbopack:\/\/\//, '').replace(/^file:\/\//, ''));
  const shortSource = source
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\[project\]\//, '')
    .replace(/^webpack:\/\/next\/\.\//, 'next/');
  // The package is the generated file's, unless it is a bundle of the app (.next/server), then the original's.
  const generated = decodeURIComponent(url);
  const bundled = generated.includes('/.next/server/');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(bundled ? source : generated)?.[1];
  let owner: string;
  if (pkg === 'next') owner = nextPart(source);
  else if (pkg) owner = pkg;
  else if (bundled) {
    const project = /\[project\]\/(.*)$/.exec(source)?.[1] ?? source;
    owner = `app: ${project
      .split('/')
      .slice(0, project.startsWith('app/') ? 3 : 2)
      .join('/')}`;
  } else owner = path.relative(repoRoot, fileURLToPath(url));
  return { where: `${shortSource}:${line}`, owner };
}

function analyseProfile(file: string, fromUs: number, toUs: number, requests: number): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const inclusiveOwner = new Map<string, number>();
  let busyUs = 0;
  let time = profile.startTime;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (time < fromUs || time > toUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = nodes.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    counted++;
    busyUs += dt;
    const o = origin(node.callFrame);
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${o.where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    byOwner.set(o.owner, (byOwner.get(o.owner) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (!frame.url) continue;
      const owner = origin(frame).owner;
      if (!seen.has(owner)) {
        seen.add(owner);
        inclusiveOwner.set(owner, (inclusiveOwner.get(owner) ?? 0) + dt);
      }
    }
  }
  if (counted === 0) fail(`the profile ${file} has no samples inside the load window`);
  const perReq = (us: number) => (us / 1000 / requests).toFixed(3);
  const share = (us: number) => `${((us / busyUs) * 100).toFixed(1)}%`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

  console.log(
    `\nServer CPU while loaded: ${(busyUs / 1000).toFixed(0)} ms for ${requests} requests = ${perReq(busyUs)} ms/request (profiler overhead included)\n`,
  );
  console.log('Self time by package or app folder\n');
  console.log(
    table(
      ['owner', 'ms/req', 'share'],
      top(byOwner, 25).map(([k, v]) => [k, perReq(v), share(v)]),
    ),
  );
  console.log('\nInclusive time by package (samples with that package anywhere on the synchronous stack)\n');
  console.log(
    table(
      ['owner', 'ms/req', 'share'],
      top(inclusiveOwner, 25).map(([k, v]) => [k, perReq(v), share(v)]),
    ),
  );
  console.log('\nTop functions by self time\n');
  console.log(
    table(
      ['function  source', 'ms/req', 'share'],
      top(self, 40).map(([k, v]) => [k, perReq(v), share(v)]),
    ),
  );
}

async function profile(server: Server, target: Target, dir: string, db: BenchDatabase): Promise<void> {
  // Under the profiler the JIT needs longer to settle: 3 s leave it several times slower.
  const warmup = Math.max(WARMUP_S, 10);
  log(
    `profiling ${target.path}: ${warmup} s warm-up, then ${DURATION_S} s at ${CONNECTIONS} connections under --cpu-prof`,
  );
  await measure(server.origin, target, warmup, db, server);
  // V8's profile timestamps and process.hrtime both read the monotonic clock, in µs here.
  const from = Number(process.hrtime.bigint() / 1000n);
  const sample = await measure(server.origin, target, DURATION_S, db, server);
  const to = Number(process.hrtime.bigint() / 1000n);
  log(`${sample.rps.toFixed(0)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms (slowed by the profiler)`);
  await stopServer(server.child);
  let file: string | undefined;
  for (let i = 0; i < 50 && !file; i++) {
    file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) await sleep(100);
  }
  if (!file) fail(`next start wrote no .cpuprofile in ${dir}`);
  analyseProfile(path.join(dir, file), from, to, sample.total);
  console.log(
    `\nProfile: ${path.relative(process.cwd(), path.join(dir, file))} (Chrome DevTools → Performance → Load profile)`,
  );
}

// ---------------------------------------------------------------------------
// The shared store: a client-credentials token, and commit → webhook latency

async function requestToken(
  origin: string,
  clientId: string,
  clientSecret: string,
): Promise<{ accessToken: string; expiresIn: number }> {
  const res = await fetch(`${origin}/api/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
  if (!res.ok || typeof body?.access_token !== 'string')
    fail(`POST /api/oauth/token for ${API_APP}: status ${res.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, expiresIn: Number(body.expires_in) || 60 };
}

type WebhookLatency = {
  changes: number;
  committed: number;
  received: number;
  badSignatures: number;
  latenciesMs: number[];
  rate: number;
  warmup: number;
  /** Shares of one core while the measured changes ran. */
  cpu: { bench: number; db: number | null; other: number };
};

/** Changes made before the measured ones, not counted: pool connections, JIT, the worker's first passes. */
const WEBHOOK_WARMUP_CHANGES = 50;

/**
 * One home-address change per customer given, at WEBHOOK_RATE per second,
 * through server/customers/profile.ts updateProfile (what the portal's form and the
 * API's PATCH call), each timed from the moment its transaction has committed
 * (the call returns) to the moment its webhook, signature verified, is read
 * by a receiver in this process. The worker is server/webhooks' own, started
 * here as scripts/http-server.ts starts it in each app instance: woken by the
 * outbox's NOTIFY at commit. One change per customer, so each webhook is
 * told apart by its customer. A first batch of `warmupIds`, at the same rate,
 * is not counted: a cold start (new pool connections, unoptimised code) made
 * the first changes of a run wait a second and more behind it.
 */
async function measureWebhookLatency(
  customerIds: string[],
  warmupIds: string[],
  db: BenchDatabase,
): Promise<WebhookLatency> {
  const { Webhook } = await import('standardwebhooks');
  const { startWebhookWorker } = await import('../server/apps/webhooks');
  const { updateProfile } = await import('../server/customers/profile');
  const bench = await import('../server/bench');

  const receivedAt = new Map<string, number>();
  let verifier: InstanceType<typeof Webhook> | null = null;
  let badSignatures = 0;
  let waitingFor: { ids: Set<string>; done: () => void } | null = null;
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      try {
        const event = verifier!.verify(Buffer.concat(chunks).toString('utf8'), {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { data?: { customerId?: string } };
        const id = event.data?.customerId;
        if (id && !receivedAt.has(id)) {
          receivedAt.set(id, at);
          if (waitingFor && [...waitingFor.ids].every((wanted) => receivedAt.has(wanted))) waitingFor.done();
        }
        res.writeHead(204).end();
      } catch {
        badSignatures++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const closeReceiver = () => new Promise<void>((resolve) => receiver.close(() => resolve()));
  cleanups.push(closeReceiver);
  const { port } = receiver.address() as AddressInfo;

  const app = await bench.replaceBenchApp({
    name: WEBHOOK_APP,
    description: 'npm run bench',
    purposes: 'service',
    fields: 'name,postalAddress',
    webhook: `http://127.0.0.1:${port}/webhooks`,
  });
  cleanups.push(() => bench.removeBenchApp(WEBHOOK_APP));
  verifier = new Webhook(app.webhookSecret!);
  const worker = startWebhookWorker({
    log: {
      info: () => {},
      warn: (...args: unknown[]) => log(`[webhooks] ${args.join(' ')}`),
      error: (...args: unknown[]) => log(`[webhooks] ${args.join(' ')}`),
    },
  });
  cleanups.push(() => worker.stop());
  await worker.listening;

  const run = Date.now().toString(36);
  /** Changes each customer's home address once, paced; resolves with the commit times once every webhook arrived (or 30 s after the last commit). */
  async function changeAll(ids: string[]): Promise<Map<string, number>> {
    const committedAt = new Map<string, number>();
    const arrived = new Promise<void>((resolve) => (waitingFor = { ids: new Set(ids), done: resolve }));
    const started = performance.now();
    const writes: Array<Promise<void>> = [];
    for (const [i, customerId] of ids.entries()) {
      const wait = started + (i * 1000) / WEBHOOK_RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const home = {
        country: 'FR',
        line1: `${i + 1} rue du Banc`,
        line2: `Bench run ${run}`,
        postalCode: '75011',
        city: 'Paris',
      };
      writes.push(
        updateProfile(customerId, { addresses: { home } }, { channel: 'bench', expectedVersion: null }).then(
          (result) => {
            if (result.ok && result.changed.length > 0) committedAt.set(customerId, performance.now());
            else
              log(
                `webhooks: the change of customer ${customerId} was not written (${result.ok ? 'no change' : result.reason})`,
              );
          },
        ),
      );
    }
    await Promise.all(writes);
    if (
      (await Promise.race([arrived.then(() => 'all' as const), sleep(30_000).then(() => 'timeout' as const)])) ===
      'timeout'
    ) {
      log(
        `webhooks: ${ids.filter((id) => receivedAt.has(id)).length} of ${ids.length} arrived within 30 s of the last commit`,
      );
    }
    waitingFor = null;
    return committedAt;
  }

  log(
    `webhooks: ${warmupIds.length} profile changes to warm up, then ${customerIds.length} at ${WEBHOOK_RATE}/s, each timed from its commit to its webhook's arrival`,
  );
  // This process is the system under test now (writer, worker, receiver): with
  // --nice it gets the priority next start had during the rounds.
  const priorityBefore = os.getPriority();
  if (NICE !== null) {
    try {
      os.setPriority(NICE);
      fs.writeFileSync('/proc/self/autogroup', String(NICE));
    } catch {
      // not allowed, or no autogroups: as it is
    }
  }
  await changeAll(warmupIds);
  const cpu0 = process.cpuUsage();
  const db0 = treeCpuMs(db.postmasterPid);
  const busy0 = machineBusyMs();
  const t0 = performance.now();
  const committedAt = await changeAll(customerIds);
  const elapsedMs = performance.now() - t0;
  const cpu1 = process.cpuUsage(cpu0);
  const benchMs = (cpu1.user + cpu1.system) / 1000;
  const dbMs = treeCpuMs(db.postmasterPid) - db0;
  const otherMs = Math.max(0, machineBusyMs() - busy0 - benchMs - dbMs);
  try {
    os.setPriority(priorityBefore);
  } catch {
    // as it is
  }
  await worker.stop();
  await closeReceiver();
  await bench.removeBenchApp(WEBHOOK_APP);

  const latenciesMs = [...committedAt]
    .filter(([id]) => receivedAt.has(id))
    .map(([id, at]) => Math.max(0, receivedAt.get(id)! - at))
    .sort((a, b) => a - b);
  return {
    changes: customerIds.length,
    committed: committedAt.size,
    received: customerIds.filter((id) => receivedAt.has(id)).length,
    badSignatures,
    latenciesMs,
    rate: WEBHOOK_RATE,
    warmup: warmupIds.length,
    cpu: { bench: benchMs / elapsedMs, db: db.postmasterPid ? dbMs / elapsedMs : null, other: otherMs / elapsedMs },
  };
}

// ---------------------------------------------------------------------------
// Output

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
/** The q-quantile of sorted values (nearest rank). */
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

function table(header: string[], rows: string[][], rightAlignFrom = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const db = await prepareDatabase();
  const applied = await migrateDeploy(db.url);
  log(applied.length ? `applied ${applied.length} migration(s)` : 'migrations up to date');

  // server/ reads its environment once, on first use: set it before importing.
  process.env.DATABASE_URL = db.url;
  process.env.AUTH_SECRET = BENCH_AUTH_SECRET;
  const { createCustomer, createSessionFor, createSignInChallenge } = await import('../tests/factories');
  const { ensureConsentPurposes } = await import('../server/consent/purposes');
  const bench = await import('../server/bench');
  const { getPool } = await import('../server/platform/db');
  cleanups.push(async () => {
    await getPool().end();
  });

  await ensureConsentPurposes();
  const seeded = await bench.ensureBenchCustomers(CUSTOMERS);
  log(`${seeded.total} customers in the database${seeded.added ? ` (${seeded.added} added)` : ''}`);

  const customer = await bench.getBenchCustomer(SESSION_CUSTOMER);
  const { token } = await createSessionFor(customer.id);
  const pending = await createCustomer({ email: `pending-1@${bench.BENCH_EMAIL_DOMAIN}`, onboarded: false });
  const { token: pendingToken } = await createSessionFor(pending.id);
  cleanups.push(() => bench.endBenchSessions([token, pendingToken]));
  const signedIn = { cookie: `${SESSION_COOKIE}=${token}` };
  // The code page and the link's confirmation page need a pending sign-in.
  const challenge = await createSignInChallenge({ email: `signing-in@${bench.BENCH_EMAIL_DOMAIN}` });
  const challengeCookie = { cookie: `accord.signin=${challenge.id}` };

  const messages = JSON.parse(fs.readFileSync(path.join(repoRoot, 'messages', 'en.json'), 'utf8')) as {
    account: { greeting: string };
    signIn: { title: string };
  };
  const greeting = messages.account.greeting.replace('{firstName}', customer.firstName);

  // The shared store's API: an app registered afresh for this run, and every
  // bench customer's id for the requests to walk through.
  const apiApp = await bench.replaceBenchApp({
    name: API_APP,
    description: 'npm run bench',
    purposes: 'service',
    fields: 'name,email,postalAddress',
    rateLimitPerMinute: API_RATE_LIMIT,
  });
  cleanups.push(() => bench.removeBenchApp(API_APP));
  const customerIds = await bench.listBenchCustomerIds(CUSTOMERS);
  const idsFile = path.join(repoRoot, '.data', 'bench', 'customer-ids.txt');
  fs.mkdirSync(path.dirname(idsFile), { recursive: true });
  fs.writeFileSync(idsFile, `${customerIds.join('\n')}\n`);
  const sampleId = customerIds[0]!;
  /** Filled once the server runs; renewed when half its lifetime is gone. */
  const apiAuth: Record<string, string> = {};
  let serverOrigin = '';
  let renewTokenAt = 0;
  const renewToken = async () => {
    if (Date.now() < renewTokenAt) return;
    const token = await requestToken(serverOrigin, apiApp.app.clientId, apiApp.clientSecret);
    apiAuth.authorization = `Bearer ${token.accessToken}`;
    renewTokenAt = Date.now() + (token.expiresIn * 1000) / 2;
  };
  const customerJson = (body: string): { id?: unknown; email?: unknown } | null => {
    try {
      return JSON.parse(body) as { id?: unknown; email?: unknown };
    } catch {
      return null;
    }
  };

  const targets: Target[] = [
    {
      key: 'static',
      label: 'static page',
      path: '/bench/static',
      headers: {},
      check: (res, body) =>
        !body.includes('data-bench="static"')
          ? 'not the bench static page'
          : res.headers.get('x-nextjs-cache') !== 'HIT' && res.headers.get('x-nextjs-prerender') !== '1'
            ? `not served from the prerender cache (x-nextjs-cache: ${res.headers.get('x-nextjs-cache')}): it is rendered per request`
            : null,
    },
    {
      key: 'dynamic',
      label: 'minimal dynamic page',
      path: '/bench/dynamic',
      headers: signedIn,
      check: (_res, body) =>
        body.includes(`data-bench="dynamic">${customer.firstName}<`)
          ? null
          : `no "${customer.firstName}" from the session's SELECT`,
    },
    ...(opts.breakdown
      ? [
          {
            key: 'prisma',
            label: '+ session via Prisma',
            path: '/bench/prisma',
            headers: signedIn,
            check: (_res: Response, body: string) =>
              body.includes(`data-bench="prisma">${customer.firstName}<`)
                ? null
                : `no "${customer.firstName}" from Prisma`,
          },
          {
            key: 'auth',
            label: '+ session via auth()',
            path: '/bench/auth',
            headers: signedIn,
            check: (_res: Response, body: string) =>
              body.includes(`data-bench="auth">${customer.firstName}<`)
                ? null
                : `no "${customer.firstName}" from auth()`,
          },
        ]
      : []),
    {
      key: 'signin',
      label: 'GET /signin',
      path: '/signin',
      headers: {},
      check: (_res, body) =>
        body.includes(messages.signIn.title) && body.includes('<form') ? null : 'no sign-in form',
    },
    {
      key: 'account',
      label: 'GET /account (signed in)',
      path: '/account',
      headers: signedIn,
      check: (_res, body) => (body.includes(greeting) ? null : `no greeting "${greeting}"`),
    },
    {
      key: 'customer',
      label: 'customer row, no token (API baseline)',
      path: '/bench/customer/{id}',
      idsFile,
      sampleId,
      headers: {},
      check: (_res, body) => (customerJson(body)?.id === sampleId ? null : 'not the customer asked for'),
    },
    {
      key: 'api',
      label: 'GET /api/v1/customers/{id} (token)',
      path: '/api/v1/customers/{id}',
      idsFile,
      sampleId,
      headers: apiAuth,
      prepare: renewToken,
      check: (res, body) => {
        const shared = customerJson(body);
        if (shared?.id !== sampleId) return 'not the customer asked for';
        if (typeof shared.email !== 'string') return `no email: the consent policy hid a field ${API_APP} declared`;
        return res.headers.get('etag') ? null : 'no ETag header';
      },
    },
  ];

  const profiled = opts.profile ? targets.find((t) => t.key === opts.profile) : undefined;
  if (opts.profile && !profiled) fail(`--profile must be one of ${targets.map((t) => t.key).join(', ')}`);

  await build();
  const profileDir = path.join(repoRoot, '.data', 'bench', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (profiled) fs.mkdirSync(profileDir, { recursive: true });
  const server = await startServer(db.url, profiled ? profileDir : undefined);
  serverOrigin = server.origin;

  for (const target of targets) await verify(server.origin, target);
  if (profiled) {
    await profile(server, profiled, profileDir, db);
    return;
  }
  log(`all ${targets.length} targets answer as expected`);

  // First-load JS, read from the running server.
  const pendingCookie = { cookie: `${SESSION_COOKIE}=${pendingToken}` };
  const jsPages: Array<[string, Record<string, string>, boolean]> = [
    ['/bench/static', {}, true],
    ['/signin', {}, true],
    ['/account', signedIn, true],
    ['/account/profile', signedIn, false],
    ['/account/security', signedIn, false],
    ['/account/privacy', signedIn, false],
    ['/welcome', pendingCookie, false],
    ['/signin/code', challengeCookie, false],
    [`/signin/confirm?token=${challenge.token}`, {}, false],
  ];
  const js: JsSize[] = [];
  for (const [page, headers, required] of jsPages) {
    // Printed without the link's secret token.
    js.push({
      ...(await firstLoadJs(server.origin, page, headers, required)),
      page: page.replace(/\?token=.*$/, '?token=…'),
    });
  }

  // Warm-up: JIT, module caches, pool connections.
  log(`warm-up: ${WARMUP_S} s per target at ${CONNECTIONS} connections`);
  for (const target of targets) await measure(server.origin, target, WARMUP_S, db, server);

  const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]));
  const estimate = ROUNDS * targets.length * (DURATION_S + 0.5);
  log(`${ROUNDS} interleaved rounds × ${targets.length} targets × ${DURATION_S} s (about ${Math.round(estimate)} s)`);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the starting target so no target always follows the same one.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const line: string[] = [];
    for (const target of order) {
      const sample = await measure(server.origin, target, DURATION_S, db, server);
      samples.get(target.key)!.push(sample);
      line.push(`${target.key} ${sample.rps.toFixed(0)}`);
    }
    log(`round ${round + 1}/${ROUNDS}: ${line.join(' · ')} req/s`);
  }

  // Commit → webhook delivery, with the server idle: its own customers, none of the API sample's.
  const webhooks =
    WEBHOOK_CHANGES > 0
      ? await measureWebhookLatency(
          customerIds.slice(1, 1 + WEBHOOK_CHANGES),
          customerIds.slice(1 + WEBHOOK_CHANGES, 1 + WEBHOOK_CHANGES + WEBHOOK_WARMUP_CHANGES),
          db,
        )
      : null;

  // ---- Results
  const summary = targets.map((target) => {
    const s = samples.get(target.key)!;
    return {
      target,
      rps: median(s.map((x) => x.rps)),
      rpsMin: Math.min(...s.map((x) => x.rps)),
      rpsMax: Math.max(...s.map((x) => x.rps)),
      p50: median(s.map((x) => x.p50)),
      p99: median(s.map((x) => x.p99)),
      serverCpu: median(s.map((x) => x.serverCpuMs / x.total)),
      dbCpu: median(s.map((x) => x.dbCpuMs / x.total)),
      loadGenCpu: median(s.map((x) => x.cpuMs / (x.duration * 1000))),
      otherCpu: median(
        s.map((x) => Math.max(0, x.machineBusyMs - x.serverCpuMs - x.dbCpuMs - x.cpuMs) / (x.duration * 1000)),
      ),
    };
  });
  const by = (key: string) => summary.find((s) => s.target.key === key)!;
  const staticRps = by('static').rps;
  const dynamicRps = by('dynamic').rps;

  console.log(
    `\nRequests at ${CONNECTIONS} connections, production build, ${seeded.total} customers; ` +
      `median of ${ROUNDS} interleaved ${DURATION_S}-s rounds (min–max in brackets)\n`,
  );
  console.log(
    table(
      [
        'target',
        'path',
        'req/s',
        'range',
        'p50 ms',
        'p99 ms',
        '% static',
        '% min dynamic',
        'server CPU ms/req',
        'by CPU: % min dynamic',
        'db CPU ms/req',
      ],
      summary.map((s) => [
        s.target.label,
        s.target.path,
        s.rps.toFixed(0),
        `[${s.rpsMin.toFixed(0)}–${s.rpsMax.toFixed(0)}]`,
        s.p50.toFixed(1),
        s.p99.toFixed(1),
        pct(s.rps / staticRps),
        pct(s.rps / dynamicRps),
        s.serverCpu.toFixed(2),
        pct(by('dynamic').serverCpu / s.serverCpu),
        db.postmasterPid ? s.dbCpu.toFixed(2) : 'n/a',
      ]),
      2,
    ),
  );
  const loadGen = median(summary.map((s) => s.loadGenCpu));
  const other = median(summary.map((s) => s.otherCpu));
  console.log(
    `\nautocannon (its own process) used ${(loadGen * 100).toFixed(0)}% of one core during the runs; ` +
      `other processes on this machine ${(other * 100).toFixed(0)}% of one core (this machine has ${os.availableParallelism()} cores).`,
  );
  if (other > 0.25 && NICE !== null && NICE < 0) {
    console.log(`(next start and autocannon ran with priority, --nice=${NICE}: the other load mostly waited.)`);
  } else if (other > 0.25) {
    console.log(
      'WARNING: other processes competed for the CPU during the runs: req/s and latencies are depressed and noisy. ' +
        'Server CPU per request is the figure least disturbed (it counts only CPU time the server actually got); compare ratios by it.',
    );
  }
  console.log(
    `"by CPU: % min dynamic" = the minimal dynamic page's server CPU per request ÷ the target's: the throughput ratio ` +
      `one would see with the server alone on its cores.`,
  );

  if (webhooks) {
    const l = webhooks.latenciesMs;
    console.log(
      `\nCommit → webhook delivery: ${webhooks.changes} home-address changes (server/customers/profile.ts updateProfile) at ${webhooks.rate}/s, ` +
        `each to its own customer, after ${webhooks.warmup} not counted; webhook worker (server/webhooks, woken by the outbox's NOTIFY) ` +
        `and receiver in the bench process, the server idle\n`,
    );
    console.log(
      table(
        ['committed', 'delivered', 'bad signatures', 'p50 ms', 'p99 ms', 'max ms'],
        [
          [
            String(webhooks.committed),
            String(webhooks.received),
            String(webhooks.badSignatures),
            quantile(l, 0.5).toFixed(0),
            quantile(l, 0.99).toFixed(0),
            (l.at(-1) ?? NaN).toFixed(0),
          ],
        ],
        0,
      ),
    );
    const share = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `\nWhile they ran: the bench process (writer, worker, receiver${NICE === null ? '' : `, at --nice=${NICE}`}) used ${share(webhooks.cpu.bench)} of one core, ` +
        `PostgreSQL ${webhooks.cpu.db === null ? 'n/a' : share(webhooks.cpu.db)}, other processes ${share(webhooks.cpu.other)}.`,
    );
    if (webhooks.cpu.other > 0.25) {
      console.log(
        'WARNING: other processes competed for the CPU: the pipeline saturates sooner and the latencies queue up behind it.',
      );
    }
  }

  const empty = js.find((j) => j.page === '/bench/static')!;
  console.log(
    '\nFirst-load JavaScript (the <script src> files of each page but the noModule polyfills, gzipped here at zlib level 6; 1 kB = 1000 bytes)\n',
  );
  console.log(
    table(
      ['page', 'files', 'raw', 'gzip', 'above empty page', 'HTML gzip'],
      js.map((j) =>
        j.status === 'ok'
          ? [
              j.page,
              String(j.files),
              kb(j.rawBytes),
              kb(j.gzipBytes),
              `${j.gzipBytes >= empty.gzipBytes ? '+' : ''}${kb(j.gzipBytes - empty.gzipBytes)}`,
              kb(j.htmlGzipBytes),
            ]
          : [j.page, '', '', '', j.status, ''],
      ),
    ),
  );

  const accountRatio = by('account').rps / dynamicRps;
  const accountCpuRatio = by('dynamic').serverCpu / by('account').serverCpu;
  const api = by('api');
  const apiBase = by('customer');
  const apiRatio = api.rps / apiBase.rps;
  const apiCpuRatio = apiBase.serverCpu / api.serverCpu;
  const goals: Array<[string, boolean]> = [
    [
      `/account at ≥ ${pct(GOAL_ACCOUNT_VS_DYNAMIC)} of the minimal dynamic page's req/s at ${CONNECTIONS} connections: ${pct(accountRatio)} ` +
        `(${by('account').rps.toFixed(0)} vs ${dynamicRps.toFixed(0)} req/s; by server CPU per request, the figure least ` +
        `disturbed by other load: ${pct(accountCpuRatio)}, ${by('account').serverCpu.toFixed(2)} vs ${by('dynamic').serverCpu.toFixed(2)} ms)`,
      accountRatio >= GOAL_ACCOUNT_VS_DYNAMIC,
    ],
    [
      `GET /api/v1/customers/{id} at ≥ ${pct(GOAL_API_VS_BASELINE)} of its baseline's req/s at ${CONNECTIONS} connections: ${pct(apiRatio)} ` +
        `(${api.rps.toFixed(0)} vs ${apiBase.rps.toFixed(0)} req/s, p50 ${api.p50.toFixed(0)} vs ${apiBase.p50.toFixed(0)} ms, ` +
        `p99 ${api.p99.toFixed(0)} vs ${apiBase.p99.toFixed(0)} ms; by server CPU per request: ${pct(apiCpuRatio)}, ` +
        `${api.serverCpu.toFixed(2)} vs ${apiBase.serverCpu.toFixed(2)} ms)`,
      apiRatio >= GOAL_API_VS_BASELINE,
    ],
    ...(webhooks
      ? [
          [
            `commit → webhook delivery p99 < ${GOAL_WEBHOOK_P99_MS} ms: ${quantile(webhooks.latenciesMs, 0.99).toFixed(0)} ms ` +
              `(p50 ${quantile(webhooks.latenciesMs, 0.5).toFixed(0)}, max ${(webhooks.latenciesMs.at(-1) ?? NaN).toFixed(0)} ms; ` +
              `${webhooks.received} of ${webhooks.changes} delivered)`,
            webhooks.received === webhooks.changes && quantile(webhooks.latenciesMs, 0.99) < GOAL_WEBHOOK_P99_MS,
          ] as [string, boolean],
        ]
      : []),
    ...js
      .filter((j) => j.status === 'ok' && j.page !== '/bench/static')
      .map((j): [string, boolean] => [
        `${j.page} first-load JS ≤ ${kb(GOAL_JS_ABOVE_EMPTY)} gzipped above the empty page: ${j.gzipBytes >= empty.gzipBytes ? '+' : ''}${kb(j.gzipBytes - empty.gzipBytes)}`,
        j.gzipBytes - empty.gzipBytes <= GOAL_JS_ABOVE_EMPTY,
      ]),
  ];
  console.log('\nGoals\n');
  for (const [text, ok] of goals) console.log(`${ok ? 'PASS' : 'MISS'}  ${text}`);
  // How far apart the rounds are: the run's own measure of its noise.
  const spread = Math.max(
    ...['dynamic', 'account', 'customer', 'api'].map((key) => (by(key).rpsMax - by(key).rpsMin) / by(key).rps),
  );
  if (spread > 0.35) {
    console.log(
      `      note: this run's rounds differ by up to ${pct(spread)} (other processes took ${(other * 100).toFixed(0)}% of a core): ` +
        'its speed figures are not usable for the /account and API goals, either way. Run again when the machine is quiet, or with --nice=-10 as root.',
    );
  } else if (accountRatio >= GOAL_ACCOUNT_VS_DYNAMIC !== accountCpuRatio >= GOAL_ACCOUNT_VS_DYNAMIC) {
    console.log(
      `      note: by server CPU per request the /account goal would be ${accountCpuRatio >= GOAL_ACCOUNT_VS_DYNAMIC ? 'PASS' : 'MISS'}: ` +
        "the req/s verdict is within this run's noise; run again on a quieter machine.",
    );
  }
  if (spread <= 0.35 && apiRatio >= GOAL_API_VS_BASELINE !== apiCpuRatio >= GOAL_API_VS_BASELINE) {
    console.log(
      `      note: by server CPU per request the API goal would be ${apiCpuRatio >= GOAL_API_VS_BASELINE ? 'PASS' : 'MISS'}: ` +
        "the req/s verdict is within this run's noise; run again on a quieter machine.",
    );
  }
  const skipped = js.filter((j) => j.status !== 'ok').map((j) => `${j.page} (${j.status})`);
  if (skipped.length) console.log(`(not measured: ${skipped.join(', ')})`);
  console.log(`\n[bench] done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main()
  .catch((error: unknown) => {
    console.error(
      `\n[bench] FAILED: ${error instanceof BenchError ? error.message : error instanceof Error ? error.stack : String(error)}`,
    );
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    // Prisma's engine keeps timers alive; everything this run started is stopped by now.
    process.exit();
  });
