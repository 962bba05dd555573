/**
 * SMTP down for 30 s while customers sign in (issue 10, "Mail that does not get
 * lost"): the code page says the mail is on its way, and once the mail server is
 * back every mail arrives, once, and its code signs in. The sink refuses
 * connections for the whole suite meanwhile, so this spec runs on its own, after
 * the others (playwright.config.ts, project "mail-outage"). On its own:
 * npx playwright test e2e/mail-outage.spec.ts --project mail-outage --no-deps
 * docs/decisions/027-mail-queue.md
 */
import type { Page } from '@playwright/test';

import { expect, test, waitForHydration } from './fixtures';
import { extractCode, listMail, startSmtp, stopSmtp, waitForMail } from './mailbox';

const SUBJECT = 'Your sign-in link and code';
const OUTAGE_MS = 30_000;

async function askForCode(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  const field = page.getByLabel('Email', { exact: true });
  await waitForHydration(field);
  await field.fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
}

test('SMTP stopped for 30 s during sign-ins: each mail arrives once after it comes back, and signs in', async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const emails = [0, 1].map((n) => `outage-${n}-${testInfo.testId}-${Date.now()}@example.test`);
  const pages = await Promise.all(emails.map(async () => (await browser.newContext()).newPage()));

  await stopSmtp();
  const stoppedAt = Date.now();
  try {
    for (const [i, email] of emails.entries()) {
      await askForCode(pages[i]!, email);
      await expect(
        pages[i]!.getByText(`Your sign-in link and 6-digit code are on their way to ${email}`),
      ).toBeVisible();
      await expect(pages[i]!.getByText('the email may take a minute')).toBeVisible();
    }
    expect(await listMail(emails[0]!)).toHaveLength(0);
    await pages[0]!.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
  } finally {
    await startSmtp();
  }

  // The worker's backoff (at most about 32 s by the sixth try) brings them in.
  const mails = await Promise.all(
    emails.map((email) => waitForMail(email, { subjectIncludes: SUBJECT, timeoutMs: 90_000 })),
  );
  // A late duplicate would come from the next worker pass: give it a few.
  await pages[0]!.waitForTimeout(5_000);
  for (const email of emails) expect(await listMail(email)).toHaveLength(1);

  for (const [i, page] of pages.entries()) {
    // Sent now: the page says so.
    await page.reload();
    await expect(page.getByText(`We sent a sign-in link and a 6-digit code to ${emails[i]}`)).toBeVisible();
    const field = page.getByLabel('Code', { exact: true });
    await waitForHydration(field);
    await field.fill(extractCode(mails[i]!));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/welcome$/);
    await page.context().close();
  }
});
