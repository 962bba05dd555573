/**
 * End-to-end tests: Playwright starts the SMTP sink (e2e/mail-sink.ts) and the built app
 * (`next start`), then runs the specs under e2e/ in Chromium.
 *
 * Run through `npm run test:e2e`, which prepares the database and the build and sets:
 *   E2E_DATABASE_URL          (required) the app's DATABASE_URL (its runtime role)
 *   E2E_MIGRATION_DATABASE_URL, E2E_ADMIN_DATABASE_URL  the same database as its owner and
 *                             as the superuser, for fixtures (e2e/server-env.ts)
 *   PLAYWRIGHT_CHROMIUM_PATH  the Chromium to drive (from scripts/ensure-chromium.ts);
 *                             unset: Playwright's own downloaded browser
 * Optional: E2E_PORT (app, default 3100), E2E_SMTP_PORT (2525), E2E_MAILBOX_PORT (2526),
 * E2E_OIDC_PORT (the OpenID provider of e2e/oidc-provider.ts, 3190),
 * E2E_CHECKBOOK_PORT (the checkbook example app e2e/shared-store.spec.ts starts, 3191),
 * E2E_APP_LOG (the app's output, checked for emails and codes; default test-results/app-server.log),
 * E2E_DEBUG (show the app's stdout), RATE_LIMIT_* (passed to the app), CI (1 retry).
 */
import path from 'node:path';

import { defineConfig } from '@playwright/test';

import { chromiumUse, videoOnFailure } from './e2e/chromium';
import { TEST_AUTH_SECRET } from './e2e/test-secrets';

const databaseUrl = process.env.E2E_DATABASE_URL;
if (!databaseUrl) {
  throw new Error('E2E_DATABASE_URL is not set: run `npm run test:e2e`, which prepares the database and the build');
}

const port = Number(process.env.E2E_PORT ?? 3100);
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2525);
const mailboxPort = Number(process.env.E2E_MAILBOX_PORT ?? 2526);
const baseURL = `http://localhost:${port}`;
const mailboxURL = `http://127.0.0.1:${mailboxPort}`;
// Specs (e2e/mailbox.ts) read the sink through this; workers inherit the runner's env.
process.env.E2E_MAILBOX_URL ??= mailboxURL;
// A real OpenID provider on another site than the app (e2e/oidc-provider.ts); the app
// knows it as the provider "test" (AUTH_OIDC_TEST_*), and e2e/oidc.spec.ts makes its accounts.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3190);
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
const oidcClient = { id: 'accord-e2e', secret: 'accord-e2e-oidc-client-secret-0123456789' };
process.env.E2E_OIDC_URL ??= oidcIssuer;

// The app's stdout and stderr, searched after the run for emails and codes (e2e/global-teardown.ts).
process.env.E2E_APP_LOG ??= path.resolve('test-results', 'app-server.log');

const isCI = process.env.CI === 'true' || process.env.CI === '1';
const debug = Boolean(process.env.E2E_DEBUG);

const rateLimitEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[0].startsWith('RATE_LIMIT_') && entry[1] !== undefined,
  ),
);

export default defineConfig({
  testDir: 'e2e',
  globalTeardown: './e2e/global-teardown.ts',
  fullyParallel: true,
  workers: 2,
  retries: isCI ? 1 : 0,
  forbidOnly: isCI,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    locale: 'en-US',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: videoOnFailure(),
  },
  projects: [
    {
      name: 'chromium',
      use: chromiumUse(),
      // A project's testIgnore replaces the config's: both exclusions live here. The QA
      // flows run against a deployment (playwright.flows.config.ts), in CI's production stage.
      testIgnore: [/mail-outage\.spec\.ts$/, /[\\/]flows[\\/]/],
    },
    // Stops the SMTP sink for 30 s: after every other spec, which would see their mails late.
    {
      name: 'mail-outage',
      use: chromiumUse(),
      testMatch: /mail-outage\.spec\.ts$/,
      dependencies: ['chromium'],
    },
  ],
  webServer: [
    {
      name: 'mail-sink',
      command: 'npx tsx e2e/mail-sink.ts',
      url: `${mailboxURL}/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { E2E_SMTP_PORT: String(smtpPort), E2E_MAILBOX_PORT: String(mailboxPort) },
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      name: 'oidc-provider',
      command: 'npx tsx e2e/oidc-provider.ts',
      url: `${oidcIssuer}/health`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: {
        E2E_OIDC_PORT: String(oidcPort),
        E2E_APP_URL: baseURL,
        E2E_OIDC_CLIENT_ID: oidcClient.id,
        E2E_OIDC_CLIENT_SECRET: oidcClient.secret,
      },
      stdout: debug ? 'pipe' : 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      name: 'app',
      command: 'npx tsx e2e/app-server.ts',
      url: `${baseURL}/api/health/ready`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        ...rateLimitEnv,
        DATABASE_URL: databaseUrl,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        APP_URL: baseURL,
        AUTH_SECRET: TEST_AUTH_SECRET,
        NODE_ENV: 'production',
        // The checkbook example app receives its webhooks on 127.0.0.1 (e2e/shared-store.spec.ts).
        WEBHOOK_ALLOW_PRIVATE: '1',
        PORT: String(port),
        AUTH_OIDC_TEST_ISSUER: oidcIssuer,
        AUTH_OIDC_TEST_CLIENT_ID: oidcClient.id,
        AUTH_OIDC_TEST_CLIENT_SECRET: oidcClient.secret,
        AUTH_OIDC_TEST_NAME: 'Test IdP',
        // The specs' workers run with --conditions=react-server; the app must not.
        NODE_OPTIONS: '',
      },
      stdout: debug ? 'pipe' : 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
  ],
});
