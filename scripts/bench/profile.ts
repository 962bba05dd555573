// --profile=<target>: instead of the rounds, load one target under Node's CPU
// profiler (its server was started with --cpu-prof) and print where that
// server's time goes; the .cpuprofile is kept for Chrome DevTools.
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { repoRoot } from '../db/postgres';
import type { BenchDatabase } from './database';
import { table } from './format';
import { measure, serverOf, type Servers, type Target } from './load';
import { fail, log, options } from './options';
import { stopServer } from './servers';

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

/** Loads the target with its server under --cpu-prof (written to dir when the server stops), then analyses the profile. */
export async function profile(servers: Servers, target: Target, dir: string, db: BenchDatabase): Promise<void> {
  // Under the profiler the JIT needs longer to settle: 3 s leave it several times slower.
  const warmup = Math.max(options.warmupS, 10);
  log(
    `profiling ${target.server}: ${target.path}: ${warmup} s warm-up, then ${options.durationS} s at ${options.connections} connections under --cpu-prof`,
  );
  await measure(servers, target, warmup, db);
  // V8's profile timestamps and process.hrtime both read the monotonic clock, in µs here.
  const from = Number(process.hrtime.bigint() / 1000n);
  const sample = await measure(servers, target, options.durationS, db);
  const to = Number(process.hrtime.bigint() / 1000n);
  log(`${sample.rps.toFixed(0)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms (slowed by the profiler)`);
  await stopServer(serverOf(servers, target.server));
  let file: string | undefined;
  for (let i = 0; i < 50 && !file; i++) {
    file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) await sleep(100);
  }
  if (!file) fail(`the server wrote no .cpuprofile in ${dir}`);
  analyseProfile(path.join(dir, file), from, to, sample.total);
  console.log(
    `\nProfile: ${path.relative(process.cwd(), path.join(dir, file))} (Chrome DevTools → Performance → Load profile)`,
  );
}
