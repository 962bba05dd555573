// Load generation: each run of a target is autocannon in a child process of
// its own, so load generation never shares an event loop with this script;
// it still shares the machine's cores with the servers and PostgreSQL, which
// is why each run also counts the CPU time they used.
import { spawn, type ChildProcess } from 'node:child_process';

import { repoRoot } from '../db/postgres';
import { onCleanup } from './cleanup';
import { machineBusyMs, treeCpuMs } from './cpu';
import type { BenchDatabase } from './database';
import { BenchError, fail, options } from './options';
import { nodeCommand, prioritiseSession } from './priority';
import type { Server, ServerName } from './servers';

export type Target = {
  key: string;
  label: string;
  /** Which server answers it: Accord's or the bare app's. */
  server: ServerName;
  /** With "{id}": each request takes the next id of idsFile (one per line). */
  path: string;
  /** Its route in the build's app-path-routes-manifest.json. */
  route: string;
  idsFile?: string;
  /** The id the check's request uses. */
  sampleId?: string;
  headers: Record<string, string>;
  /** POST: each request sends the next line of bodiesFile, each line once (single-use codes and refresh tokens). */
  method?: 'POST';
  /** One body per line, written by prepare before each run; a run sends them all, once each, then stops. */
  bodiesFile?: string;
  /** The body of the one request that checks the target (a fresh one: they are single-use). */
  sampleBody?: () => Promise<string>;
  /** Before each run of this target (a token to renew, the bodies to send…). */
  prepare?: () => Promise<void>;
  /** Checks one real response before any load; returns a reason when wrong. */
  check(res: Response, body: string): string | null;
};

export type Servers = Record<'accord' | 'baseline', Server> & { 'accord-off'?: Server };

export function serverOf(servers: Servers, name: ServerName): Server {
  return servers[name] ?? fail(`no ${name} server in this run`);
}

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
if (options.bodies) {
  // Each body once, in turn: the run is as many requests as there are bodies (duration is then ignored).
  const bodies = require('fs').readFileSync(options.bodies, 'utf8').split('\n').filter(Boolean);
  let next = 0;
  options.amount = bodies.length;
  options.requests = [{ setupRequest: (req) => ({ ...req, body: bodies[next++] }) }];
  delete options.bodies;
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
  /** autocannon's own CPU time. */
  cpuMs: number;
};

/** One run of one target, with the CPU time its server, PostgreSQL and the whole machine used meanwhile. */
export type Sample = LoadResult & { serverCpuMs: number; dbCpuMs: number; machineBusyMs: number };

/** Load generators running now, stopped on Ctrl-C. */
const running = new Set<ChildProcess>();
onCleanup(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
});

function autocannon(
  url: string,
  headers: Record<string, string>,
  durationS: number,
  rotate?: { path: string; idsFile: string },
  post?: { bodies: string },
): Promise<LoadResult> {
  const args = {
    url,
    headers,
    connections: options.connections,
    duration: durationS,
    pipelining: 1,
    timeout: 30,
    ...(rotate ? { rotate } : {}),
    ...(post ? { method: 'POST', bodies: post.bodies } : {}),
  };
  return new Promise((resolve, reject) => {
    const [command, argv] = nodeCommand(['-e', AUTOCANNON_RUNNER, JSON.stringify(args)]);
    const child = spawn(command, argv, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own session only to give it its own scheduling priority (--nice).
      detached: options.nice !== null,
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

export const samplePath = (target: Target) => target.path.replace('{id}', target.sampleId ?? '');

/** One real request before any load: the target answers 200 with what it should. */
export async function verify(servers: Servers, target: Target): Promise<void> {
  await target.prepare?.();
  const res = await fetch(serverOf(servers, target.server).origin + samplePath(target), {
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.sampleBody ? await target.sampleBody() : undefined,
    redirect: 'manual',
  });
  const body = await res.text();
  const problem =
    res.status !== 200
      ? `status ${res.status}${res.headers.get('location') ? ` → ${res.headers.get('location')}` : ''}`
      : target.check(res, body);
  if (problem)
    fail(
      `${target.label} (${target.server}: ${samplePath(target)}) is not what the benchmark expects: ${problem}\n${body.slice(0, 600)}`,
    );
}

/** Loads the target for durationS at --connections; every response must be a 2xx. */
export async function measure(servers: Servers, target: Target, durationS: number, db: BenchDatabase): Promise<Sample> {
  const server = serverOf(servers, target.server);
  // First: minting a run's single-use bodies writes to the database, which is not the target's cost.
  await target.prepare?.();
  const cpu0 = treeCpuMs(server.child.pid);
  const db0 = treeCpuMs(db.postmasterPid);
  const busy0 = machineBusyMs();
  const rotate = target.idsFile ? { path: target.path, idsFile: target.idsFile } : undefined;
  const result = await autocannon(
    rotate ? server.origin : server.origin + target.path,
    target.headers,
    durationS,
    rotate,
    target.bodiesFile ? { bodies: target.bodiesFile } : undefined,
  );
  const serverCpuMs = treeCpuMs(server.child.pid) - cpu0;
  const dbCpuMs = treeCpuMs(db.postmasterPid) - db0;
  const busy = machineBusyMs() - busy0;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0 || result.total === 0) {
    fail(
      `${target.label} (${target.server}): ${result.total} responses, ${result.non2xx} not 2xx, ${result.errors} errors, ${result.timeouts} timeouts ` +
        `(status codes ${JSON.stringify(result.statusCodes)})\n${server.output.join('').trim().slice(-2000)}`,
    );
  }
  return { ...result, serverCpuMs, dbCpuMs, machineBusyMs: busy };
}
