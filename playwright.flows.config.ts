/**
 * The QA flows (`npm run test:flows`, docs/qa.md): the customer journeys of e2e/flows/
 * through a deployment this config does not start and whose database it never opens,
 * reading the mail the deployment sends from the HTTP API of `npm run mail-sink`.
 *
 *   BASE_URL                  (required) the deployment, e.g. https://staging.example.com
 *   MAILBOX_URL               (required) the mail sink's HTTP API the deployment's SMTP
 *                             delivers to, e.g. http://127.0.0.1:2526
 *   QA_EMAIL_DOMAIN           the domain of the flows' addresses (default example.test)
 *   QA_WORKERS                journeys at once (default 2)
 *   PLAYWRIGHT_CHROMIUM_PATH  the Chromium to drive; unset: Playwright's own
 *
 * Report: playwright-report/flows/index.html; traces, screenshots and videos of failed
 * journeys under test-results/flows/.
 */
import { defineConfig } from '@playwright/test';

import { chromiumUse, videoOnFailure } from './e2e/chromium';

const baseURL = process.env.BASE_URL;
if (!baseURL || !process.env.MAILBOX_URL) {
  throw new Error(
    'Set BASE_URL (the running deployment) and MAILBOX_URL (the HTTP API of `npm run mail-sink`, where the deployment sends its mail): see docs/qa.md',
  );
}
const isCI = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  testDir: 'e2e/flows',
  fullyParallel: true,
  workers: Number(process.env.QA_WORKERS || 2),
  retries: isCI ? 1 : 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report/flows' }]],
  outputDir: 'test-results/flows',
  timeout: 60_000,
  // A deployment over the network, or a cold server on a busy CI machine: pages and mails take seconds.
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    locale: 'en-US',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: videoOnFailure(),
  },
  projects: [{ name: 'flows', use: chromiumUse() }],
});
