// `npm run bench`: requests/s and latency of Accord's production build on
// real PostgreSQL against a bare Next.js app, and the first-load JavaScript
// of the customer pages against the bare app's empty page.
//
//   npm run bench [-- --no-build] [--rounds=5] [--duration=5] [--warmup=3] [--connections=20] [--port=3200]
//   npm run bench -- --nice=-10
//     run both servers and autocannon at that scheduling priority,
//     as processes and as sessions (autogroups); negative needs root. On a
//     machine busy with other work they then get the cores first (PostgreSQL
//     keeps its own).
//   npm run bench -- --no-build --profile=account [--duration=20]
//     instead of the rounds: load one target (its key: bare-static,
//     bare-dynamic, bare-route, terms, signin, account, profile, security,
//     privacy, api) under Node's CPU profiler and print where its server's
//     time goes; the .cpuprofile is kept in .data/bench/ for Chrome DevTools.
//   npm run bench -- --webhooks=200 --webhook-rate=50
//     after the rounds, that many profile changes at that rate (0: none), each
//     timed from its commit to its webhook's arrival at a receiver in this process
//   npm run bench -- --only=js [--no-build] [--verbose]
//     only the first-load JavaScript of the pages (no warm-up, rounds or
//     webhooks): sizes do not depend on the machine's load, so this is the
//     quick check after a change to client code; --verbose lists each page's files.
//   npm run bench -- --personalization [--no-build] [--rounds=5] …
//     instead of the above, on 100,000 customers with preferences and signals in
//     their own database: the audience count of personalization rules
//     (scripts/bench/personalization.ts), then, with 50 published rules, the
//     personalized /account against a second Accord server with
//     PERSONALIZATION_ENABLED=false and the decision API against the bare route
//     handler, interleaved (scripts/bench/personalization-pages.ts).
//   npm run bench -- --oidc [--no-build] [--rounds=5] …
//     instead of the above: the OpenID provider's token endpoint (authorization_code
//     exchange and refresh) and userinfo, interleaved with the bare route handler
//     (scripts/bench/oidc.ts; each at least 50% of its requests/s).
//   --verbose prints the servers' output.
// (--breakdown is gone: its two targets, the minimal dynamic page reading the
// session through Prisma and through auth(), were routes inside the product.)
//
// The baseline lives outside the product: bench/baseline/ is a bare Next.js
// app (one static page, one dynamic page reading the session cookie with one
// SELECT, one route handler with one SELECT by id, a pg Pool), built with the
// repository's next (the same version) in its own folder and started as its
// own `next start` process on the same database. Accord's production build
// contains none of it; Accord runs as `npm start` runs it (dist/http-server.mjs). Its targets are loaded interleaved with Accord's in
// one run: each round runs every target once, the starting target rotating,
// so machine noise hits all alike; the figures are medians across rounds.
// Pairs (targets.ts): /legal/terms ↔ the bare static page (no goal: Accord
// renders every page per request, for its CSP nonce and locale); /signin and
// the /account pages ↔ the bare dynamic page; GET /api/v1/customers/{id}
// (bearer token of an app registered here, "bench-api", consent policy,
// access log, a rate limit no run reaches) ↔ the bare route handler. Both id
// targets walk through all 10,000 customers in turn (one counter shared by
// the connections), so the reads spread over the table and its index as an
// app's would.
//
// Database: DATABASE_URL when set (never a database named "accord"), else the
// database `accord_bench` on the embedded server of `npm run dev`
// (.data/postgres), started if needed and stopped again if this script started it.
// It is migrated and topped up to 10,000 customers (bench-N@bench.example.test).
//
// Run with `tsx --conditions=react-server` so server/ modules load outside Next.
// Modules: options (command line, constants), database, seed, servers (build,
// start, stop), targets (pairs and goals), load (autocannon, checks), cpu,
// first-load-js, profile, webhooks, report, format.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoRoot } from '../db/postgres';
import { migrateDeploy } from '../db/schema-engine';
import { cleanup, cleanupOnSignals, onCleanup } from './cleanup';
import { prepareDatabase } from './database';
import { firstLoadJs, type JsSize } from './first-load-js';
import { measure, verify, type Sample, type Servers } from './load';
import {
  API_APP,
  API_RATE_LIMIT,
  BENCH_AUTH_SECRET,
  BenchError,
  CUSTOMERS,
  dataDir,
  fail,
  log,
  options,
  SESSION_COOKIE,
  SESSION_CUSTOMER,
  WEBHOOK_WARMUP_CHANGES,
} from './options';
import { profile } from './profile';
import { printFirstLoadJsReport, printReport } from './report';
import { accordApp, baselineApp, build, startServer } from './servers';
import { buildTargets, EXTRA_ACCORD_ROUTES, requestToken, type Messages } from './targets';

async function main() {
  const started = Date.now();
  cleanupOnSignals();
  if (options.personalization) {
    await (await import('./personalization')).benchPersonalization();
    return;
  }
  const db = await prepareDatabase();
  const applied = await migrateDeploy(db.url);
  log(applied.length ? `applied ${applied.length} migration(s)` : 'migrations up to date');

  // server/ reads its environment once, on first use: set it before importing.
  process.env.DATABASE_URL = db.url;
  process.env.AUTH_SECRET = BENCH_AUTH_SECRET;
  const { createCustomer, createSessionFor, createSignInChallenge } = await import('../../tests/factories');
  const { ensureConsentPurposes } = await import('../../server/consent/purposes');
  const seed = await import('./seed');
  const { getPool } = await import('../../server/platform/db');
  onCleanup(async () => {
    await getPool().end();
    // pg-pool's end() resolves before its clients' sockets have closed: stopping
    // PostgreSQL at once made it report each of them as an error.
    await sleep(200);
  });

  await ensureConsentPurposes();
  const seeded = await seed.ensureBenchCustomers(CUSTOMERS);
  log(`${seeded.total} customers in the database${seeded.added ? ` (${seeded.added} added)` : ''}`);

  const customer = await seed.getBenchCustomer(SESSION_CUSTOMER);
  const { token } = await createSessionFor(customer.id);
  const pending = await createCustomer({ email: `pending-1@${seed.BENCH_EMAIL_DOMAIN}`, onboarded: false });
  const { token: pendingToken } = await createSessionFor(pending.id);
  onCleanup(() => seed.endBenchSessions([token, pendingToken]));
  // The code page and the link's confirmation page need a pending sign-in.
  const challenge = await createSignInChallenge({ email: `signing-in@${seed.BENCH_EMAIL_DOMAIN}` });
  const messages = JSON.parse(fs.readFileSync(path.join(repoRoot, 'messages', 'en.json'), 'utf8')) as Messages;

  // The API: an app registered afresh for this run, and every bench
  // customer's id for the requests to walk through.
  const apiApp = await seed.replaceBenchApp({
    name: API_APP,
    description: 'npm run bench',
    purposes: 'service',
    fields: 'name,email,postalAddress',
    rateLimitPerMinute: API_RATE_LIMIT,
  });
  onCleanup(() => seed.removeBenchApp(API_APP));
  const customerIds = await seed.listBenchCustomerIds(CUSTOMERS);
  const idsFile = path.join(dataDir, 'customer-ids.txt');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(idsFile, `${customerIds.join('\n')}\n`);

  if (options.oidc) {
    const { benchOidc } = await import('./oidc');
    const missed = await benchOidc(db, seeded.total, { customer, idsFile, sampleId: customerIds[0]! });
    process.exitCode = missed ? 1 : 0;
    return;
  }

  /** Accord's origin, once its server runs. */
  const accordServer = { origin: '' };
  const apiHeaders: Record<string, string> = {};
  let renewTokenAt = 0;
  const targets = buildTargets({
    customer,
    sessionToken: token,
    messages,
    idsFile,
    sampleId: customerIds[0]!,
    apiHeaders,
    // Renewed when half its lifetime is gone.
    renewApiToken: async () => {
      if (Date.now() < renewTokenAt) return;
      const t = await requestToken(accordServer.origin, apiApp.app.clientId, apiApp.clientSecret);
      apiHeaders.authorization = `Bearer ${t.accessToken}`;
      renewTokenAt = Date.now() + (t.expiresIn * 1000) / 2;
    },
  });
  const profiled = options.profile ? targets.find((t) => t.key === options.profile) : undefined;
  if (options.profile && !profiled) fail(`--profile must be one of ${targets.map((t) => t.key).join(', ')}`);

  const routesOf = (server: 'accord' | 'baseline') => targets.filter((t) => t.server === server).map((t) => t.route);
  await build(baselineApp, routesOf('baseline'));
  await build(accordApp, [...routesOf('accord'), ...EXTRA_ACCORD_ROUTES]);
  const profileDir = path.join(dataDir, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  if (profiled) fs.mkdirSync(profileDir, { recursive: true });
  const cpuProfileFor = (server: 'accord' | 'baseline') => (profiled?.server === server ? profileDir : undefined);
  const accord = await startServer(accordApp, options.port, db.url, cpuProfileFor('accord'));
  const baseline = await startServer(
    baselineApp,
    Number(new URL(accord.origin).port) + 1,
    db.url,
    cpuProfileFor('baseline'),
  );
  accordServer.origin = accord.origin;
  const servers: Servers = { accord, baseline };

  for (const target of targets) await verify(servers, target);
  if (profiled) {
    await profile(servers, profiled, profileDir, db);
    return;
  }
  log(`all ${targets.length} targets answer as expected`);

  // First-load JS, read from the running servers: [server, page, headers, required].
  const signedIn = { cookie: `${SESSION_COOKIE}=${token}` };
  const jsPages: Array<['accord' | 'baseline', string, Record<string, string>, boolean]> = [
    ['baseline', '/static', {}, true],
    ['accord', '/signin', {}, true],
    ['accord', '/account', signedIn, true],
    ['accord', '/account/profile', signedIn, true],
    ['accord', '/account/security', signedIn, true],
    ['accord', '/account/privacy', signedIn, true],
    ['accord', '/welcome', { cookie: `${SESSION_COOKIE}=${pendingToken}` }, false],
    ['accord', '/signin/code', { cookie: `accord.signin=${challenge.id}` }, false],
    ['accord', `/signin/confirm?token=${challenge.token}`, {}, false],
    ['accord', '/legal/terms', {}, false],
  ];
  const js: JsSize[] = [];
  for (const [server, page, headers, required] of jsPages) {
    // Printed without the link's secret token.
    js.push({
      ...(await firstLoadJs(servers, server, page, headers, required)),
      page: page.replace(/\?token=.*$/, '?token=…'),
    });
  }
  if (options.only === 'js') {
    process.exitCode = printFirstLoadJsReport(js) ? 1 : 0;
    return;
  }

  // Warm-up: JIT, module caches, pool connections.
  log(`warm-up: ${options.warmupS} s per target at ${options.connections} connections`);
  for (const target of targets) await measure(servers, target, options.warmupS, db);

  const samples = new Map<string, Sample[]>(targets.map((t) => [t.key, []]));
  const estimate = options.rounds * targets.length * (options.durationS + 0.5);
  log(
    `${options.rounds} interleaved rounds × ${targets.length} targets × ${options.durationS} s (about ${Math.round(estimate)} s)`,
  );
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the starting target so no target always follows the same one.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    const line: string[] = [];
    for (const target of order) {
      const sample = await measure(servers, target, options.durationS, db);
      samples.get(target.key)!.push(sample);
      line.push(`${target.key} ${sample.rps.toFixed(0)}`);
    }
    log(`round ${round + 1}/${options.rounds}: ${line.join(' · ')} req/s`);
  }

  // Commit → webhook delivery, with the servers idle: its own customers, none of the API sample's.
  let webhooks = null;
  if (options.webhookChanges > 0) {
    const { measureWebhookLatency } = await import('./webhooks');
    const first = 1;
    const warmupFrom = first + options.webhookChanges;
    webhooks = await measureWebhookLatency(
      customerIds.slice(first, warmupFrom),
      customerIds.slice(warmupFrom, warmupFrom + WEBHOOK_WARMUP_CHANGES),
      db,
    );
  }

  const nextVersion = (
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'next', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  printReport({ targets, samples, js, webhooks, customers: seeded.total, db, nextVersion });
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
