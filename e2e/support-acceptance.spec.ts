import type { Page } from '@playwright/test';

import { updateProfile } from '../server/customers/profile';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { recordServerActions, replay, ROUND_TRIPS_TIMEOUT } from './helpers';
import { waitForMail } from './mailbox';

// Issue 16's acceptance, end to end with two browsers: the customer's support code opens a
// case; the agent sees the masked profile, reveals the phone with a reason; the customer's
// privacy page lists the view and the reveal, and a notice arrives; the reveal expires; a
// case that is not the agent's reveals nothing; the agent fixes the address with the
// customer's agreement and the customer's profile history says "support". The agent's HTML
// never holds a value that was not revealed.

const ADDRESS = { line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' };
const NEW_ADDRESS = { line1: '4 quai Saint-Vincent', postalCode: '69001', city: 'Lyon' };
const PHONE = '+33612345678';
const CHROME_ON_MACOS =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The page's HTML as the server sends it, with the agent's cookies. */
async function html(page: Page, path: string): Promise<string> {
  const response = await page.request.get(path);
  expect(response.status()).toBe(200);
  return response.text();
}

const revealRows = async (customerId: string) =>
  (await prisma.dataAccessLog.findMany({ where: { customerId, purpose: 'support' } })).filter((r) =>
    r.reason?.startsWith('reveal '),
  ).length;

test.describe('support: the acceptance of issue 16', () => {
  test('code handoff, masked view, reveal seen by the customer, expiry, refusal, address fixed by support', async ({
    staffPage,
    createCustomer,
    newDevice,
    signInAs,
    baseURL,
  }) => {
    test.setTimeout(180_000);
    const customer = await createCustomer({ address: ADDRESS, lastName: 'Martin' });
    await updateProfile(customer.id, { phone: PHONE }, { channel: 'portal', expectedVersion: null });
    const secrets = [customer.email, PHONE, '612345678', ADDRESS.line1, ADDRESS.postalCode, 'Martin'];

    // The customer's browser: "Contact support" shows a one-time code for this session.
    const customerPage = await newDevice({ userAgent: CHROME_ON_MACOS });
    await signInAs(customerPage.context(), customer.id, { userAgent: CHROME_ON_MACOS });
    await customerPage.goto('/account/support');
    const show = customerPage.getByRole('button', { name: 'Show a support code' });
    await waitForHydration(show);
    await show.click();
    const code = (await customerPage.getByTestId('support-code').textContent({ timeout: ROUND_TRIPS_TIMEOUT }))!.trim();
    expect(code).toMatch(/^\d{6}$/);

    // The agent's browser: the customer's email, then the code, opens a verified case.
    const agent = await staffPage(['support-agent'], { displayName: 'Sam Support' });
    const { page } = agent;
    await page.goto('/console/support');
    const verify = page.getByRole('button', { name: 'Verify and open a case' });
    await waitForHydration(verify);
    await page.locator('#support-email').fill(customer.email);
    await page.locator('#support-code').fill(code);
    await verify.click();
    await expect(page).toHaveURL(/\/console\/support\/cases\/[0-9a-f-]{36}$/, { timeout: ROUND_TRIPS_TIMEOUT });
    const caseId = page.url().split('/').at(-1)!;
    await expect(page.getByText(/Verified by support code at .* \(session on Chrome on macOS\)/)).toBeVisible();

    // Masked by default, and the HTML holds no unrevealed value.
    const casePath = `/console/support/cases/${caseId}`;
    const view = page.getByRole('region', { name: 'Customer', exact: true });
    await expect(view.getByText(`${customer.email[0]}•••@e•••.test`)).toBeVisible();
    await expect(view.getByText('•• •• •• •• 78')).toBeVisible();
    await expect(view.getByText('Lyon, FR')).toBeVisible();
    for (const secret of secrets) expect(await html(page, casePath)).not.toContain(secret);

    // The phone revealed, with a reason from the list and a ticket.
    const reveals = recordServerActions(page, (body) => body.includes('T-2048'));
    const sent = new Date();
    const revealForm = page.getByRole('region', { name: 'Reveal a value' });
    await waitForHydration(revealForm.getByRole('button', { name: 'Reveal' }));
    await revealForm.getByLabel('Value', { exact: true }).selectOption({ label: 'Phone' });
    await revealForm.getByLabel('Reason').selectOption({ label: 'Delivery problem' });
    await revealForm.getByLabel('Ticket reference').fill('T-2048');
    await revealForm.getByRole('button', { name: 'Reveal' }).click();
    await expect(view.getByText(PHONE)).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    const revealedHtml = await html(page, casePath);
    for (const secret of secrets.filter((s) => s !== PHONE && s !== '612345678'))
      expect(revealedHtml).not.toContain(secret);

    // The customer: a notice mail, and the view and the reveal on the privacy page with the reason.
    const mail = await waitForMail(customer.email, { subjectIncludes: 'phone number', after: sent });
    expect(mail.text).toContain('Sam Support');
    expect(mail.text).not.toContain(PHONE);
    await customerPage.goto('/account/privacy');
    const access = customerPage.getByRole('region', { name: 'Who looked at your data' });
    await expect(access.getByText('Staff · Sam Support revealed your phone number').first()).toBeVisible();
    await expect(
      access.getByText('reason: your contact with our support (a delivery problem, ticket T-2048)').first(),
    ).toBeVisible();
    await expect(access.getByText(/Staff · Sam Support read /).first()).toBeVisible();

    // The reveal's window ends (its end moved into the past): masked again.
    await prisma.$executeRaw`
      UPDATE support_reveals SET expires_at = now() - interval '1 second' WHERE case_id = ${caseId}::uuid`;
    await page.reload();
    await expect(view.getByText('•• •• •• •• 78')).toBeVisible();
    for (const secret of secrets) expect(await html(page, casePath)).not.toContain(secret);

    // No verified case of their own, no reveal: another agent replaying it gets 403, nothing logged.
    await expect.poll(() => reveals.length).toBeGreaterThan(0);
    const before = await revealRows(customer.id);
    const other = await staffPage(['support-agent'], { displayName: 'Olive Other' });
    expect((await replay(other.page, reveals[0]!, baseURL!)).status()).toBe(403);
    expect(await revealRows(customer.id)).toBe(before);

    // The agent fixes the address, with the customer's agreement ticked.
    const fix = page.getByRole('region', { name: 'Fix a postal address' });
    await waitForHydration(fix.getByRole('button', { name: 'Save the address' }));
    await fix.getByLabel('Street and number').fill(NEW_ADDRESS.line1);
    await fix.getByLabel('Postcode').fill(NEW_ADDRESS.postalCode);
    await fix.getByLabel('Town or city').fill(NEW_ADDRESS.city);
    await fix.getByRole('button', { name: 'Save the address' }).click();
    await expect(fix.getByText('Tick the box to confirm that the customer asked for this on this call.')).toBeVisible();
    expect(
      await prisma.auditLog.count({ where: { customerId: customer.id, action: 'support.action.fix-address' } }),
    ).toBe(0);
    await fix.getByLabel('The customer asked for this on this call').check();
    await fix.getByRole('button', { name: 'Save the address' }).click();
    await expect(fix.getByText('The address was saved.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    // What the agent typed is not sent back: the view shows city and country only.
    const afterFix = await html(page, casePath);
    for (const secret of [...secrets, NEW_ADDRESS.line1, NEW_ADDRESS.postalCode])
      expect(afterFix).not.toContain(secret);

    await customerPage.goto('/account/profile');
    const history = customerPage.getByRole('region', { name: 'Change history' });
    await expect(history.getByText(/via support \(Sam Support\)/).first()).toBeVisible();
    await expect(history.getByText(new RegExp(NEW_ADDRESS.line1)).first()).toBeVisible();
  });
});
