// The CI's production stage (.ci/run): the production path from nothing, as the
// README's production section has an operator run it. `npm run build`, then
// `npm start` with only AUTH_SECRET, APP_URL, SMTP_URL and PORT (no DATABASE_URL:
// the embedded database, in a fresh empty data folder) sending its mail to
// `npm run mail-sink`, the @smoke specs through it (playwright.smoke.config.ts),
// the QA flows as QA runs them (`npm run test:flows`, docs/qa.md), then
// `npm run worker` beside it: started,
// listening, stopped cleanly by SIGTERM; `npm run db:migrate` and `npm run apps`;
// then the app stopped the same way. All of it compiled JavaScript (dist/).
//
//   npx tsx scripts/smoke.ts [--skip-build]
//
// Ports: PORT, EMBEDDED_PG_PORT, E2E_SMTP_PORT, E2E_MAILBOX_PORT when set, else free ones.
import fs from 'node:fs';
import path from 'node:path';

import { ensureChromium } from './ensure-chromium';
import { expectGroupGone, runCommand as run, startProcess as start, withProductionStack } from './production-stack';

const started = Date.now();

function step(message: string): void {
  console.log(`\n▶ smoke (${((Date.now() - started) / 1000).toFixed(0)} s): ${message}`);
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

      step("the operators' CLIs beside it: npm run db:migrate, npm run apps -- list");
      const migrate = start('db:migrate', 'npm', ['run', 'db:migrate'], production);
      if ((await migrate.exited) !== 0) throw new Error('npm run db:migrate failed');
      if (!/migrations up to date[\s\S]*reference data up to date/.test(migrate.output())) {
        throw new Error('npm run db:migrate did not find the migrations and reference data in place');
      }
      const apps = start('apps', 'npm', ['run', 'apps', '--', 'list'], production);
      if ((await apps.exited) !== 0) throw new Error('npm run apps -- list failed');

      step('stopping the app with SIGTERM');
      const appCode = await app.stop(60_000);
      // 143 (128 + SIGTERM) is what scripts/serve.ts reports; npm may end by the signal itself.
      if (![0, 143, 'SIGTERM'].includes(appCode)) throw new Error(`npm start exited with ${appCode} after SIGTERM`);
      await expectGroupGone(app.child, 'npm start');
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
        throw new Error(`the embedded PostgreSQL still runs on ${dataDir} after the app stopped`);
      }
      await sink.stop(10_000);
      step('passed');
    },
  );
}

main().catch((error: unknown) => {
  console.error(`\nsmoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
