// `npm test`: every check, in the order that fails fastest. Each step prints
// its name and time; the first failure stops the run with its exit code.
//   npm test            lint, types, migration drift, unit+integration, build, e2e
//   npm test -- unit    only the Vitest suites      npm test -- e2e   only build + Playwright
//   npx tsx scripts/test.ts e2e --skip-build e2e/sign-in.spec.ts   Playwright on these specs, on the current build
import { spawn } from 'node:child_process';

import { databaseUrl } from './db/postgres';
import { createDatabaseFromTemplate, createTemplateDatabase, prepareTestServer } from './db/test-database';
import { ensureChromium } from './ensure-chromium';

const only = process.argv[2];
const skipBuild = process.argv.includes('--skip-build');
const specs = process.argv.slice(3).filter((arg) => arg !== '--skip-build');
const steps: string[] = [];
const started = Date.now();

function run(name: string, command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const t0 = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    });
    child.on('exit', (code, signal) => {
      const took = ((Date.now() - t0) / 1000).toFixed(1);
      steps.push(`${code === 0 ? '✔' : '✘'} ${name} (${took} s)`);
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`${name} failed (${signal ?? `exit ${code}`})`), { exitCode: code ?? 1 }));
    });
  });
}

async function main() {
  const server = await prepareTestServer();
  try {
    if (!only || only === 'static') {
      await run('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
      await run('format', 'npx', ['prettier', '--check', '.', '--log-level=warn']);
      await run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
      // The benchmark's bare app has its own tsconfig (no paths into Accord).
      await run('typecheck of the bench baseline', 'npx', ['tsc', '--noEmit', '-p', 'bench/baseline']);
      // Fails when schema.prisma and prisma/migrations disagree.
      await run('migration drift check', 'npx', ['tsx', 'scripts/db/cli.ts', 'check'], {
        DATABASE_URL: databaseUrl(server.adminUrl, 'postgres'),
      });
    }
    if (!only || only === 'unit') {
      await run('unit and integration tests (Vitest, real PostgreSQL)', 'npx', ['vitest', 'run'], {
        TEST_DATABASE_URL: server.adminUrl,
      });
    }
    if (!only || only === 'e2e') {
      if (!skipBuild) await run('production build', 'npx', ['next', 'build']);
      const chromium = await ensureChromium((msg) => console.log(`[chromium] ${msg}`));
      await createTemplateDatabase(server);
      const e2e = await createDatabaseFromTemplate(server, 'accord_e2e');
      await run('end-to-end tests (Playwright, next start, SMTP sink)', 'npx', ['playwright', 'test', ...specs], {
        // The app's runtime role; the owner and the superuser for fixtures that need them.
        E2E_DATABASE_URL: e2e.runtimeUrl,
        E2E_MIGRATION_DATABASE_URL: e2e.migrationUrl,
        E2E_ADMIN_DATABASE_URL: e2e.adminUrl,
        PLAYWRIGHT_CHROMIUM_PATH: chromium,
        // Every spec signs in from 127.0.0.1: the per-IP limits are proven by
        // tests/integration/rate-limit.test.ts, not by running into them here.
        RATE_LIMIT_SEND_PER_IP: '1000',
        RATE_LIMIT_VERIFY_PER_IP: '1000',
        RATE_LIMIT_PASSKEY_PER_IP: '1000',
        // Playwright's workers import server/ code for fixtures; 'server-only'
        // is empty under this condition (the app server resets it).
        NODE_OPTIONS: '--conditions=react-server',
      });
    }
  } finally {
    await server.stop();
  }
}

main()
  .then(() => {
    console.log(`\n${steps.join('\n')}\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  })
  .catch((error: Error & { exitCode?: number }) => {
    console.error(`\n${steps.join('\n')}\n${error.message}`);
    process.exit(error.exitCode ?? 1);
  });
