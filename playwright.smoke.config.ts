/**
 * The smoke project: the specs tagged `@smoke`, through an app this config does not
 * start and whose database it never opens (a deployment, or `npm start` in the CI's
 * production stage, scripts/smoke.ts).
 *
 *   BASE_URL                  (required) the app, e.g. http://localhost:3000
 *   E2E_MAILBOX_URL           (required) the HTTP API of the SMTP sink the app sends
 *                             its mail to (e2e/mail-sink.ts), e.g. http://127.0.0.1:2526
 *   PLAYWRIGHT_CHROMIUM_PATH  the Chromium to drive; unset: Playwright's own
 *
 *   BASE_URL=… E2E_MAILBOX_URL=… npx playwright test -c playwright.smoke.config.ts
 */
import { defineConfig } from '@playwright/test';

import { chromiumUse } from './e2e/chromium';

const baseURL = process.env.BASE_URL;
if (!baseURL || !process.env.E2E_MAILBOX_URL) {
  throw new Error(
    'Set BASE_URL (the running app) and E2E_MAILBOX_URL (the HTTP API of the SMTP sink it sends mail to, e2e/mail-sink.ts)',
  );
}

export default defineConfig({
  // Only these files: the other specs open the database through their fixtures.
  testDir: 'e2e/smoke',
  grep: /@smoke/,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report/smoke' }]],
  outputDir: 'test-results/smoke',
  // A cold server on a busy CI machine: its first pages and mails take seconds.
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    locale: 'en-US',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'smoke',
      use: chromiumUse(),
    },
  ],
});
