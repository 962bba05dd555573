// The CI's production stage (.ci/run): the production path from nothing, as the
// README's production section has an operator run it. `npm run build`, then
// `npm start` with only AUTH_SECRET, APP_URL, SMTP_URL and PORT (no DATABASE_URL:
// the embedded database, in a fresh empty data folder) sending its mail to
// `npm run mail-sink`, the @smoke specs through it (playwright.smoke.config.ts),
// the QA flows as QA runs them (`npm run test:flows`, docs/qa.md), then
// `npm run worker` beside it: started,
// listening, stopped cleanly by SIGTERM; `npm run db:migrate`, `npm run apps`, `npm run staff` and `npm run content`;
// then the app stopped the same way. Last, SIGTERM under load (sigtermUnderLoad).
// All of it compiled JavaScript (dist/).
//
//   npx tsx scripts/smoke.ts [--skip-build]
//
// Ports: PORT, EMBEDDED_PG_PORT, E2E_SMTP_PORT, E2E_MAILBOX_PORT when set, else free ones.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ensureChromium } from './ensure-chromium';
import {
  expectGroupGone,
  runCommand as run,
  startProcess as start,
  waitForHttp,
  withProductionStack,
  type Env,
} from './production-stack';

const started = Date.now();

function step(message: string): void {
  console.log(`\n▶ smoke (${((Date.now() - started) / 1000).toFixed(0)} s): ${message}`);
}

type LoadOutcome = { status: number } | { error: string; connected: boolean };

/**
 * One request on a connection of its own, so a refused connection is told apart from a
 * request cut in flight. With `trickleMs`, a form POST whose body is sent a byte at a
 * time over that long: the server holds it in flight until the last byte.
 */
function loadRequest(url: string, trickleMs = 0): Promise<LoadOutcome> {
  return new Promise((resolve) => {
    let connected = false;
    const body = 'email=' + 'x'.repeat(14);
    const headers: http.OutgoingHttpHeaders = { connection: 'close' };
    if (trickleMs) {
      Object.assign(headers, {
        origin: new URL(url).origin,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': body.length,
      });
    }
    const req = http.request(url, { method: trickleMs ? 'POST' : 'GET', agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (error) => resolve({ error: error.message, connected: true }));
    });
    req.on('socket', (socket) => socket.on('connect', () => (connected = true)));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, connected }));
    if (!trickleMs) return void req.end();
    let sent = 0;
    const timer = setInterval(() => {
      if (req.destroyed) return clearInterval(timer);
      req.write(body[sent++]!);
      if (sent === body.length) {
        clearInterval(timer);
        req.end();
      }
    }, trickleMs / body.length);
  });
}

/** The requests of the load are counted by route template, behind the token (docs/decisions/028-metrics.md). */
async function checkMetrics(baseUrl: string, token: string): Promise<void> {
  const refused = await fetch(`${baseUrl}/api/metrics`);
  if (refused.status !== 401) throw new Error(`/api/metrics without the token answered ${refused.status}, not 401`);
  const response = await fetch(`${baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/api/metrics answered ${response.status}`);
  const signin = /^accord_http_requests_total\{route="\/signin",method="GET",status="200"\} (\d+)/m.exec(text);
  if (!signin || Number(signin[1]) < 1)
    throw new Error('/api/metrics does not count the GET /signin requests of the load');
  if (!/^accord_outbox_backlog \d+/m.test(text)) throw new Error('/api/metrics has no outbox backlog gauge');
  if (
    /lang=|\?/.test(
      text
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n'),
    )
  )
    throw new Error('/api/metrics labels hold a query string');
  console.log(`[metrics] GET /signin 200 counted ${signin[1]} times`);
}

/**
 * SIGTERM under load, as a container runtime sends it (to the main process only):
 * `node dist/serve.mjs start`, what `npm start` runs. Clients request pages without
 * pause and stop, as a load balancer does, once the probe sees readiness answer 503;
 * a few slow requests (bodies sent over 3 s) are in flight when the server stops
 * accepting. Passes when readiness answered 503 before the server stopped accepting,
 * requests were in flight then, every request got a whole 2xx or 3xx answer (no
 * reset, no refusal), and the process exited 0. A client of its own rather than
 * autocannon: autocannon reuses connections and aborts what is in flight when
 * stopped, which would hide what this checks.
 */
async function sigtermUnderLoad(production: Env, baseUrl: string): Promise<void> {
  const metricsToken = randomBytes(24).toString('hex');
  const app = start(
    'app',
    process.execPath,
    ['--conditions=react-server', '--enable-source-maps', 'dist/serve.mjs', 'start'],
    { ...production, SHUTDOWN_DELAY_MS: '1000', SHUTDOWN_GRACE_MS: '20000', METRICS_TOKEN: metricsToken },
  );
  await waitForHttp(`${baseUrl}/api/health/ready`, 180_000, () => app.child.exitCode === null);

  const pages = ['/signin', '/', '/legal/privacy', '/signin?lang=fr'].map((page) => `${baseUrl}${page}`);
  const outcomes: LoadOutcome[] = [];
  let balancerSends = true;
  const clients = Array.from({ length: 8 }, async (_, n) => {
    for (let i = n; balancerSends; i += 1) outcomes.push(await loadRequest(pages[i % pages.length]!));
  });
  let notReadyAt: number | undefined;
  let refusedAt: number | undefined;
  const probe = (async () => {
    const until = Date.now() + 120_000;
    while (refusedAt === undefined && Date.now() < until) {
      const outcome = await loadRequest(`${baseUrl}/api/health/ready`);
      if ('status' in outcome && outcome.status === 503) {
        notReadyAt ??= Date.now();
        balancerSends = false;
      }
      if ('error' in outcome && !outcome.connected) refusedAt = Date.now();
      await sleep(100);
    }
  })();

  await sleep(2_000);
  await checkMetrics(baseUrl, metricsToken);
  const slow = Array.from({ length: 4 }, () => loadRequest(`${baseUrl}/signin`, 3_000));
  await sleep(500);
  const signalledAt = Date.now();
  app.child.kill('SIGTERM');
  const code = await Promise.race([app.exited, sleep(60_000, undefined, { ref: false }).then(() => 'timeout')]);
  balancerSends = false;
  outcomes.push(...(await Promise.all(slow)));
  await Promise.all([...clients, probe]);

  const failed = outcomes.filter((o) => 'error' in o || o.status >= 400);
  const inFlight = Number(/stopped accepting connections, (\d+) request\(s\) in flight/.exec(app.output())?.[1] ?? -1);
  const after = (at: number | undefined) => (at === undefined ? 'never' : `${at - signalledAt} ms`);
  console.log(
    `[load] ${outcomes.length} requests, ${failed.length} failed; readiness 503 after ${after(notReadyAt)}, ` +
      `connections refused after ${after(refusedAt)}; ${inFlight} in flight when it stopped accepting; exit ${code}`,
  );
  if (failed.length > 0) throw new Error(`requests failed during the stop: ${JSON.stringify(failed.slice(0, 5))}`);
  if (notReadyAt === undefined) throw new Error('/api/health/ready never answered 503 after SIGTERM');
  if (refusedAt === undefined || refusedAt < notReadyAt)
    throw new Error('the server did not stop accepting after readiness answered 503');
  if (inFlight < 1) throw new Error(`no request was in flight when the server stopped accepting (${inFlight})`);
  if (!/requests drained/.test(app.output())) throw new Error('the server did not report its requests drained');
  if (code !== 0) throw new Error(`node dist/serve.mjs start exited with ${code} after SIGTERM, not 0`);
  await expectGroupGone(app.child, 'node dist/serve.mjs start');
}

async function main(): Promise<void> {
  await withProductionStack(
    { skipBuild: process.argv.includes('--skip-build'), step },
    async ({ baseUrl, mailboxUrl, production, base, dataDir, app, sink }) => {
      step('the @smoke specs (playwright.smoke.config.ts)');
      const chromium = await ensureChromium((msg) => console.log(`[chromium] ${msg}`));
      await run('npx', ['playwright', 'test', '-c', 'playwright.smoke.config.ts'], {
        ...base,
        BASE_URL: baseUrl,
        E2E_MAILBOX_URL: mailboxUrl,
        PLAYWRIGHT_CHROMIUM_PATH: chromium,
      });

      step('the QA flows: BASE_URL=… MAILBOX_URL=… npm run test:flows');
      await run('npm', ['run', 'test:flows'], {
        ...base,
        BASE_URL: baseUrl,
        MAILBOX_URL: mailboxUrl,
        PLAYWRIGHT_CHROMIUM_PATH: chromium,
      });

      step('npm run worker beside the app');
      const worker = start('worker', 'npm', ['run', 'worker'], production);
      await worker.waitFor(/worker listening for outbox events/, 120_000);
      // npm may end by the signal it passed on; what counts is the worker's own clean stop.
      const workerCode = await worker.stop(30_000);
      if (![0, 'SIGTERM'].includes(workerCode))
        throw new Error(`npm run worker exited with ${workerCode} after SIGTERM`);
      if (!/worker stopped/.test(worker.output())) throw new Error('npm run worker did not stop cleanly on SIGTERM');
      await expectGroupGone(worker.child, 'npm run worker');

      step(
        "the operators' CLIs beside it: npm run db:migrate, npm run apps -- list, npm run staff -- list, npm run content -- list, npm run oidc -- list-keys",
      );
      const migrate = start('db:migrate', 'npm', ['run', 'db:migrate'], production);
      if ((await migrate.exited) !== 0) throw new Error('npm run db:migrate failed');
      if (!/migrations up to date[\s\S]*reference data up to date/.test(migrate.output())) {
        throw new Error('npm run db:migrate did not find the migrations and reference data in place');
      }
      const apps = start('apps', 'npm', ['run', 'apps', '--', 'list'], production);
      if ((await apps.exited) !== 0) throw new Error('npm run apps -- list failed');
      const staff = start('staff', 'npm', ['run', 'staff', '--', 'list'], production);
      if ((await staff.exited) !== 0) throw new Error('npm run staff -- list failed');
      const content = start('content', 'npm', ['run', 'content', '--', 'list'], production);
      if ((await content.exited) !== 0) throw new Error('npm run content -- list failed');
      const oidc = start('oidc', 'npm', ['run', 'oidc', '--', 'list-keys'], production);
      if ((await oidc.exited) !== 0) throw new Error('npm run oidc -- list-keys failed');
      // The app created its signing key at start: the provider really started.
      if (!/signing {2}published/.test(oidc.output()))
        throw new Error('npm run oidc -- list-keys shows no signing key');

      step('stopping the app with SIGTERM');
      const appCode = await app.stop(60_000);
      // 143 (128 + SIGTERM) is what scripts/serve.ts reports; npm may end by the signal itself.
      if (![0, 143, 'SIGTERM'].includes(appCode)) throw new Error(`npm start exited with ${appCode} after SIGTERM`);
      await expectGroupGone(app.child, 'npm start');
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
        throw new Error(`the embedded PostgreSQL still runs on ${dataDir} after the app stopped`);
      }
      step('SIGTERM under load: readiness off first, no request in flight lost, exit 0');
      await sigtermUnderLoad(production, baseUrl);
      await sink.stop(10_000);
      step('passed');
    },
  );
}

main().catch((error: unknown) => {
  console.error(`\nsmoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
