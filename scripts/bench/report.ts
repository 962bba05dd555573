// The report: each Accord target next to its bare equivalent with the goals
// between them, the details of every target, commit → webhook latency, and
// the first-load JavaScript of the pages against the bare empty page.
import os from 'node:os';

import type { BenchDatabase } from './database';
import type { JsSize } from './first-load-js';
import { kb, median, pct, quantile, signedKb, table } from './format';
import type { Sample } from './load';
import { options } from './options';
import { GOALS, type BenchTarget } from './targets';
import type { WebhookLatency } from './webhooks';

export type ReportInput = {
  targets: BenchTarget[];
  samples: Map<string, Sample[]>;
  js: JsSize[];
  webhooks: WebhookLatency | null;
  customers: number;
  db: BenchDatabase;
  nextVersion: string;
  /** What the header names as the comparison; the bare app when absent. */
  against?: string;
};

type Summary = {
  target: BenchTarget;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  serverCpu: number;
  dbCpu: number;
  loadGenCpu: number;
  otherCpu: number;
};

function summarise(target: BenchTarget, s: Sample[]): Summary {
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
}

const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const verdict = (ok: boolean | null) => (ok === null ? '—' : ok ? 'met' : 'MISSED');

/** Prints the report; returns how many goals were missed. */
export function printReport(input: ReportInput): number {
  const { targets, samples, js, webhooks, db } = input;
  const summary = targets.map((t) => summarise(t, samples.get(t.key)!));
  const by = (key: string) => summary.find((s) => s.target.key === key)!;
  const misses: string[] = [];
  let goals = 0;
  const judge = (ok: boolean | null, what: string): boolean | null => {
    if (ok === null) return null;
    goals++;
    if (!ok) misses.push(what);
    return ok;
  };

  console.log(
    `\nAccord against ${input.against ?? 'the bare Next.js app (bench/baseline/)'}, both production builds of Next.js ${input.nextVersion} (Accord behind its own HTTP server as npm start runs it, the bare app ` +
      `with next start), each its own process, one PostgreSQL with ${input.customers} customers; ${options.connections} connections; median of ${options.rounds} interleaved ` +
      `${options.durationS}-s rounds. Bare static page: empty, prerendered; bare dynamic page: the session cookie and one SELECT; ` +
      `bare route handler: one SELECT by id, as JSON.\n`,
  );
  const compared = summary.filter((s) => s.target.compare);
  console.log(
    table(
      [
        'Accord target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'bare equivalent',
        'req/s',
        'p50 ms',
        'p99 ms',
        'req/s ratio',
        'goal',
        'met',
        'p99 ratio',
        'goal',
        'met',
      ],
      compared.map((s) => {
        const c = s.target.compare!;
        const bare = by(c.with);
        const rpsRatio = s.rps / bare.rps;
        const p99Ratio = s.p99 / bare.p99;
        const name = s.target.label;
        return [
          name,
          s.rps.toFixed(0),
          s.p50.toFixed(1),
          s.p99.toFixed(1),
          bare.target.label,
          bare.rps.toFixed(0),
          bare.p50.toFixed(1),
          bare.p99.toFixed(1),
          pct(rpsRatio),
          c.minRpsRatio === null ? '—' : `≥ ${pct(c.minRpsRatio)}`,
          verdict(
            judge(
              c.minRpsRatio === null ? null : rpsRatio >= c.minRpsRatio,
              `${name}: ${pct(rpsRatio)} of the ${bare.target.label}'s req/s`,
            ),
          ),
          times(p99Ratio),
          c.maxP99Ratio === null ? '—' : `≤ ${times(c.maxP99Ratio)}`,
          verdict(
            judge(
              c.maxP99Ratio === null ? null : p99Ratio <= c.maxP99Ratio,
              `${name}: p99 ${times(p99Ratio)} the ${bare.target.label}'s`,
            ),
          ),
        ];
      }),
      'lrrrlrrrrrlrrl',
    ),
  );

  console.log('\nEvery target: spread of the rounds, and the CPU time per request of its server and of PostgreSQL\n');
  console.log(
    table(
      [
        'target',
        'server',
        'path',
        'req/s',
        'range',
        'p50 ms',
        'p99 ms',
        'server CPU ms/req',
        'by CPU: % of bare',
        'db CPU ms/req',
      ],
      summary.map((s) => [
        s.target.label,
        s.target.server,
        s.target.path,
        s.rps.toFixed(0),
        `[${s.rpsMin.toFixed(0)}–${s.rpsMax.toFixed(0)}]`,
        s.p50.toFixed(1),
        s.p99.toFixed(1),
        s.serverCpu.toFixed(2),
        s.target.compare ? pct(by(s.target.compare.with).serverCpu / s.serverCpu) : '—',
        db.postmasterPid ? s.dbCpu.toFixed(2) : 'n/a',
      ]),
      3,
    ),
  );
  const loadGen = median(summary.map((s) => s.loadGenCpu));
  const other = median(summary.map((s) => s.otherCpu));
  console.log(
    `\nautocannon (its own process) used ${(loadGen * 100).toFixed(0)}% of one core during the runs; ` +
      `other processes on this machine ${(other * 100).toFixed(0)}% of one core (this machine has ${os.availableParallelism()} cores).`,
  );
  if (other > 0.25 && options.nice !== null && options.nice < 0) {
    console.log(
      `(both servers and autocannon ran with priority, --nice=${options.nice}: the other load mostly waited.)`,
    );
  } else if (other > 0.25) {
    console.log(
      'WARNING: other processes competed for the CPU during the runs: req/s and latencies are depressed and noisy. ' +
        'Server CPU per request is the figure least disturbed (it counts only CPU time the server actually got); compare ratios by it.',
    );
  }
  console.log(
    '"by CPU: % of bare" = the bare equivalent\'s server CPU per request ÷ the target\'s: the throughput ratio one would see ' +
      'with each server alone on its cores.',
  );

  if (webhooks) {
    const l = webhooks.latenciesMs;
    const p99 = quantile(l, 0.99);
    const ok = judge(
      webhooks.received === webhooks.changes && p99 < GOALS.webhookP99Ms,
      `commit → webhook p99 ${p99.toFixed(0)} ms`,
    );
    console.log(
      `\nCommit → webhook delivery: ${webhooks.changes} home-address changes (server/customers/profile.ts updateProfile) at ${webhooks.rate}/s, ` +
        `each to its own customer, after ${webhooks.warmup} not counted; webhook worker (server/webhooks, woken by the outbox's NOTIFY) ` +
        `and receiver in the bench process, the servers idle\n`,
    );
    console.log(
      table(
        ['committed', 'delivered', 'bad signatures', 'p50 ms', 'p99 ms', 'max ms', 'goal', 'met'],
        [
          [
            String(webhooks.committed),
            String(webhooks.received),
            String(webhooks.badSignatures),
            quantile(l, 0.5).toFixed(0),
            p99.toFixed(0),
            (l.at(-1) ?? NaN).toFixed(0),
            `all delivered, p99 < ${GOALS.webhookP99Ms} ms`,
            verdict(ok),
          ],
        ],
        0,
      ),
    );
    const share = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `\nWhile they ran: the bench process (writer, worker, receiver${options.nice === null ? '' : `, at --nice=${options.nice}`}) used ${share(webhooks.cpu.bench)} of one core, ` +
        `PostgreSQL ${webhooks.cpu.db === null ? 'n/a' : share(webhooks.cpu.db)}, other processes ${share(webhooks.cpu.other)}.`,
    );
    if (webhooks.cpu.other > 0.25) {
      console.log(
        'WARNING: other processes competed for the CPU: the pipeline saturates sooner and the latencies queue up behind it.',
      );
    }
  }

  // --personalization measures no page weight.
  if (js.length > 0) printFirstLoadJs(js, judge);

  console.log(`\nGoals: ${goals - misses.length} of ${goals} met${misses.length ? '; missed:' : ''}`);
  for (const miss of misses) console.log(`  MISSED  ${miss}`);
  // How far apart the rounds are: the run's own measure of its noise.
  const spread = Math.max(...compared.map((s) => (s.rpsMax - s.rpsMin) / s.rps));
  if (spread > 0.35) {
    console.log(
      `note: this run's rounds differ by up to ${pct(spread)} (other processes took ${(other * 100).toFixed(0)}% of a core): ` +
        'its speed verdicts are within its noise, either way. Run again when the machine is quiet, or with --nice=-10 as root.',
    );
  }
  const byCpu = compared.filter((s) => {
    const c = s.target.compare!;
    if (c.minRpsRatio === null) return false;
    const bare = by(c.with);
    return s.rps / bare.rps >= c.minRpsRatio !== bare.serverCpu / s.serverCpu >= c.minRpsRatio;
  });
  if (byCpu.length) {
    console.log(
      `note: by server CPU per request the req/s verdict would be the other way for ${byCpu.map((s) => s.target.label).join(', ')}: ` +
        "within this run's noise; run again on a quieter machine.",
    );
  }
  return misses.length;
}

/** The first-load JavaScript table (`judge` counts each page's goal); with --verbose, each page's files. */
export function printFirstLoadJs(js: JsSize[], judge: (ok: boolean | null, what: string) => boolean | null): void {
  const empty = js.find((j) => j.server === 'baseline' && j.page === '/static')!;
  console.log(
    `\nFirst-load JavaScript (the <script src> files of each page but the noModule polyfills, gzipped here at zlib level 6; 1 kB = 1000 bytes), ` +
      `against the bare app's empty page\n`,
  );
  console.log(
    table(
      ['page', 'files', 'raw', 'gzip', 'above bare empty page', 'goal', 'met', 'HTML gzip'],
      js.map((j) => {
        const label = j.server === 'baseline' ? `bare ${j.page}` : j.page;
        if (j.status !== 'ok') return [label, '', '', '', j.status, '', '', ''];
        const above = j.gzipBytes - empty.gzipBytes;
        const goal = j.server === 'accord';
        return [
          label,
          String(j.files),
          kb(j.rawBytes),
          kb(j.gzipBytes),
          j === empty ? '—' : signedKb(above),
          goal ? `≤ +${kb(GOALS.jsAboveBareEmpty)}` : '—',
          verdict(
            judge(
              goal ? above <= GOALS.jsAboveBareEmpty : null,
              `${j.page} first-load JS ${signedKb(above)} above the bare empty page`,
            ),
          ),
          kb(j.htmlGzipBytes),
        ];
      }),
    ),
  );
  const skipped = js.filter((j) => j.status !== 'ok').map((j) => `${j.page} (${j.status})`);
  if (skipped.length) console.log(`(not measured: ${skipped.join(', ')})`);
  if (!options.verbose) return;
  for (const j of js.filter((x) => x.status === 'ok')) {
    console.log(`\n${j.server === 'baseline' ? `bare ${j.page}` : j.page}`);
    console.log(
      table(
        ['file', 'raw', 'gzip'],
        j.scripts.map((f) => [f.url.replace(/^.*\/_next\//, '/_next/'), kb(f.rawBytes), kb(f.gzipBytes)]),
      ),
    );
  }
}

/** `--only=js`: the first-load JavaScript table alone; returns how many pages missed the goal. */
export function printFirstLoadJsReport(js: JsSize[]): number {
  let misses = 0;
  printFirstLoadJs(js, (ok) => {
    if (ok === false) misses++;
    return ok;
  });
  console.log(`\nFirst-load JavaScript goals: ${misses ? `${misses} page(s) missed` : 'all met'}`);
  return misses;
}
