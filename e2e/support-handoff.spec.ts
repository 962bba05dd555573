import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { ROUND_TRIPS_TIMEOUT } from './helpers';

// The signed-in handoff (issue 16 item 1, docs/decisions/036-support-agentPage.md), two browsers:
// the customer's portal and the agent's agentPage.

const CHROME_ON_MACOS =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';

async function openCaseOf(customerId: string) {
  return prisma.supportCase.findFirstOrThrow({ where: { customerId }, select: { id: true, verificationMethod: true } });
}

/** The case page of a closed case shows its header and notes only: no section owned by another team is rendered. */
async function expectCaseHeader(page: Page, caseId: string, text: RegExp) {
  await prisma.supportCase.update({ where: { id: caseId }, data: { closedAt: new Date() } });
  await page.goto(`/console/support/cases/${caseId}`);
  await expect(page.getByText(text)).toBeVisible();
}

test.describe('support handoff', () => {
  test("the customer's support code opens a case verified by that session", async ({
    page,
    customer,
    signInAs,
    staffPage,
  }) => {
    test.setTimeout(120_000);
    await signInAs(page.context(), customer.id, { userAgent: CHROME_ON_MACOS });
    await page.goto('/account/support');
    await waitForHydration(page.getByRole('button', { name: 'Show a support code' }));
    await page.getByRole('button', { name: 'Show a support code' }).click();
    const code = (await page.getByTestId('support-code').textContent({ timeout: ROUND_TRIPS_TIMEOUT }))!.trim();
    expect(code).toMatch(/^\d{6}$/);

    const agent = await staffPage(['support-agent'], { displayName: 'Sam Support' });
    const agentPage = agent.page;
    await agentPage.goto('/console/support');
    const verify = agentPage.getByRole('button', { name: 'Verify and open a case' });
    await waitForHydration(verify);
    await agentPage.locator('#support-email').fill(customer.email);
    // A wrong code first: refused with the same sentence an unknown email gets.
    await agentPage.locator('#support-code').fill(code === '000000' ? '111111' : '000000');
    await verify.click();
    await expect(agentPage.getByText('This email and code do not open a case.', { exact: false })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    await agentPage.locator('#support-code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await verify.click();
    await expect(agentPage).toHaveURL(/\/console\/support\/cases\/[0-9a-f-]{36}$/, { timeout: ROUND_TRIPS_TIMEOUT });

    const supportCase = await openCaseOf(customer.id);
    expect(supportCase.verificationMethod).toBe('support-code');
    expect(agentPage.url()).toContain(supportCase.id);
    await agentPage.goto('/console/support/cases');
    await expect(agentPage.getByRole('link', { name: new RegExp(`Case ${supportCase.id.slice(0, 8)}`) })).toBeVisible();
    await expectCaseHeader(agentPage, supportCase.id, /Verified by support code at .* \(session on Chrome on macOS\)/);
  });

  test('a verification request approved in the portal opens a case', async ({
    page,
    customer,
    signInAs,
    staffPage,
  }) => {
    test.setTimeout(120_000);
    await signInAs(page.context(), customer.id, { userAgent: CHROME_ON_MACOS });
    await page.goto('/account/support');
    await expect(page.getByText('No request waiting.', { exact: false })).toBeVisible();

    const agent = await staffPage(['support-agent'], { displayName: 'Ada Agent' });
    const agentPage = agent.page;
    await agentPage.goto('/console/support');
    const send = agentPage.getByRole('button', { name: 'Send a verification request' });
    await waitForHydration(send);
    await agentPage.locator('#request-email').fill(customer.email);
    await send.click();
    await expect(agentPage).toHaveURL(/\/console\/support\/requests\/[0-9a-f-]{36}$/, { timeout: ROUND_TRIPS_TIMEOUT });
    const number = (await agentPage.getByTestId('matching-number').textContent())!.trim();
    expect(number).toMatch(/^\d{2}$/);

    // The customer's open page picks the request up by itself, with the same number.
    await expect(page.getByTestId('matching-number')).toHaveText(number, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByText('Ada Agent from support asks to confirm it is you.')).toBeVisible();
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByText('Approved: the agent can now help you.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });

    // The agent's waiting page sees the approval and opens the case.
    await expect(agentPage).toHaveURL(/\/console\/support\/cases\/[0-9a-f-]{36}$/, { timeout: ROUND_TRIPS_TIMEOUT });
    const supportCase = await openCaseOf(customer.id);
    expect(supportCase.verificationMethod).toBe('portal-approval');
    await expectCaseHeader(
      agentPage,
      supportCase.id,
      /Verified by portal approval at .* \(session on Chrome on macOS\)/,
    );
  });
});
