import { readFile } from 'node:fs/promises';

import type { Page } from '@playwright/test';

import { buildExport } from '../server/customers/export';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { captureServerAction, replay, rewriteServerActions, ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';
import { waitForMail } from './mailbox';

// A privacy officer answers data requests in the console (issue 13 item 4,
// docs/decisions/033-staff-console.md §5): find, view masked, export, erase,
// each audited; the customer sees the view and is told of the export and the erasure.

const ADDRESS = { line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' };

async function findCustomer(page: Page, email: string, reason: string) {
  await page.goto('/console/customers');
  await waitForHydration(page.getByRole('button', { name: 'Find' }));
  await page.getByLabel("Customer's email address").fill(email);
  await page.getByLabel('Reason').fill(reason);
  await page.getByRole('button', { name: 'Find' }).click();
}

const auditActions = async (staffId: string) =>
  (await prisma.auditLog.findMany({ where: { actorStaffId: staffId }, orderBy: { id: 'asc' } })).map((r) => r.action);

async function downloaded(page: Page, click: () => Promise<void>) {
  const download = page.waitForEvent('download');
  await click();
  const file = await download;
  return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
}

test.describe('data requests in the console', () => {
  test('a privacy officer finds, views, exports and erases; the customer sees and is told; the audit trail holds each step', async ({
    staffPage,
    createCustomer,
    browser,
    baseURL,
    signInAs,
  }) => {
    test.setTimeout(150_000);
    const customer = await createCustomer({ address: ADDRESS });
    const { page, staff } = await staffPage(['privacy-officer'], { displayName: 'Priya Officer' });

    await findCustomer(page, customer.email.toUpperCase(), 'DSR-2026-41 access and erasure');
    await expect(page).toHaveURL(`/console/customers/${customer.id}`, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByRole('heading', { level: 1, name: 'Customer' })).toBeVisible();
    await expect(page.getByText(customer.email)).toHaveCount(0);
    await expect(page.getByText(`${customer.email[0]}•••@e•••.test`)).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    // The customer sees the view in "who looked at my data".
    const customerContext = await browser.newContext({ baseURL });
    await signInAs(customerContext, customer.id);
    const customerPage = await customerContext.newPage();
    await customerPage.goto('/account/privacy');
    const access = customerPage.getByRole('region', { name: 'Who looked at your data' });
    await expect(access.getByText('Staff · Priya Officer read consents, email address, phone number')).toBeVisible();
    await expect(
      access.getByText(/reason: your request about your data \(DSR-2026-41 access and erasure\)/),
    ).toBeVisible();

    // Export: the customer's own file, and a mail to the customer.
    const beforeExport = new Date();
    await waitForHydration(page.getByRole('button', { name: 'Download the export' }));
    await page.getByRole('region', { name: 'Download their data' }).getByLabel('Reason').fill('DSR-2026-41 access');
    const file = await downloaded(page, () => page.getByRole('button', { name: 'Download the export' }).click());
    expect(file.name).toMatch(/^accord-data-\d{4}-\d{2}-\d{2}\.json$/);
    // The same file as the customer's own, but for the instant it was made and the origin in
    // its links (this test process has its own APP_URL).
    const comparable = (json: string) =>
      ({ ...JSON.parse(json.replace(/http:\/\/localhost:\d+/g, 'APP_URL')), exportedAt: null }) as Record<
        string,
        unknown
      >;
    expect(comparable(file.text)).toEqual(comparable(JSON.stringify(await buildExport(customer.id))));
    expect((comparable(file.text).customer as { email: string }).email).toBe(customer.email);
    await expect(page.getByText('The export was downloaded and the customer was told by mail.')).toBeVisible();
    const exportMail = await waitForMail(customer.email, {
      subjectIncludes: 'A copy of your data',
      after: beforeExport,
    });
    expect(exportMail.text).toContain('our privacy team made a copy of all the data we keep about you');

    // Erase: a wrong typed address is refused and changes nothing.
    await page.getByRole('button', { name: 'Erase this account…' }).click();
    const erase = page.getByRole('region', { name: 'Erase the account' });
    await erase.getByLabel('Reason').fill('DSR-2026-41 erasure, identity checked');
    await erase.getByLabel('Request reference').fill('REQ-41');
    await erase.getByLabel("The customer's email address, typed again").fill('someone-else@example.test');
    await erase.getByRole('button', { name: 'Erase the account for good' }).click();
    await expect(erase.getByText('This is not the email address of this account.')).toBeVisible();
    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(1);
    expect(await auditActions(staff.id)).toEqual(['customer.find', 'customer.view', 'customer.export']);

    const beforeErase = new Date();
    await erase.getByLabel("The customer's email address, typed again").fill(customer.email);
    await erase.getByRole('button', { name: 'Erase the account for good' }).click();
    await expect(page).toHaveURL('/console/customers?erased=1', { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByText('The account was erased and the customer was told by mail.')).toBeVisible();
    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(0);
    const erasedMail = await waitForMail(customer.email, { subjectIncludes: 'has been erased', after: beforeErase });
    expect(erasedMail.subject).toBe('Your Accord account has been erased');

    // The customer's session went with the account.
    await customerPage.goto('/account/privacy');
    await expect(customerPage).toHaveURL(/\/signin/);
    await customerContext.close();

    // The audit trail lists every step, the erased customer under a pseudonym; its CSV holds the same rows.
    await page.goto(`/console/audit?member=${staff.id}`);
    const rows = page.getByRole('table', { name: 'Audit rows, newest first' }).getByRole('row');
    await expect(rows).toHaveCount(5);
    await expect(rows.nth(1)).toContainText('Customer erased');
    await expect(rows.nth(1)).toContainText('REQ-41');
    await expect(rows.nth(2)).toContainText('Customer data exported');
    await expect(rows.nth(3)).toContainText('Customer viewed');
    await expect(rows.nth(4)).toContainText('Customer searched');
    await expect(page.getByText(/^Erased customer [0-9a-f]{12}…$/)).toHaveCount(4);
    await expect(page.getByText(customer.id)).toHaveCount(0);
    const csv = await downloaded(page, () => page.getByRole('link', { name: 'Download as CSV' }).click());
    const lines = csv.text.trimEnd().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual([
      'customer.erase',
      'customer.export',
      'customer.view',
      'customer.find',
    ]);
    expect(csv.text).not.toContain(customer.id);
    expect(await auditActions(staff.id)).toEqual([
      'customer.find',
      'customer.view',
      'customer.export',
      'customer.erase',
      'audit.export',
    ]);
  });

  test('a support agent views masked but can neither export nor erase: the page offers neither, the route and a replayed action get 403, nothing is written', async ({
    staffPage,
    createCustomer,
    baseURL,
  }) => {
    const customer = await createCustomer();
    const officer = await staffPage(['privacy-officer']);
    const agent = await staffPage(['support-agent']);

    // The officer's erase action, captured before it reaches the app.
    await findCustomer(officer.page, customer.email, 'DSR-7');
    await expect(officer.page).toHaveURL(`/console/customers/${customer.id}`, { timeout: ROUND_TRIPS_TIMEOUT });
    await waitForHydration(officer.page.getByRole('button', { name: 'Erase this account…' }));
    await officer.page.getByRole('button', { name: 'Erase this account…' }).click();
    const erase = officer.page.getByRole('region', { name: 'Erase the account' });
    await erase.getByLabel('Reason').fill('DSR-7');
    await erase.getByLabel('Request reference').fill('REQ-7');
    await erase.getByLabel("The customer's email address, typed again").fill(customer.email);
    const eraseAction = await captureServerAction(officer.page, () =>
      erase.getByRole('button', { name: 'Erase the account for good' }).click(),
    );

    await findCustomer(agent.page, customer.email, 'TICKET-7');
    await expect(agent.page).toHaveURL(`/console/customers/${customer.id}`, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(agent.page.getByRole('heading', { level: 1, name: 'Customer' })).toBeVisible();
    await expect(agent.page.getByRole('region', { name: 'Download their data' })).toHaveCount(0);
    await expect(agent.page.getByRole('region', { name: 'Erase the account' })).toHaveCount(0);

    const exportResponse = await agent.page.request.post(`/console/customers/${customer.id}/export`, {
      headers: { origin: baseURL! },
      data: { reason: 'TICKET-7' },
      maxRedirects: 0,
    });
    expect(exportResponse.status()).toBe(403);
    expect(await exportResponse.text()).not.toContain(customer.email);

    const replayed = await replay(agent.page, eraseAction, baseURL!);
    expect(replayed.status()).toBe(403);

    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(1);
    expect(await auditActions(agent.staff.id)).toEqual([
      'customer.find',
      'customer.view',
      'access.denied',
      'access.denied',
    ]);
    const denials = await prisma.auditLog.findMany({
      where: { actorStaffId: agent.staff.id, action: 'access.denied' },
      orderBy: { id: 'asc' },
    });
    expect(denials.map((d) => (d.details as { permission: string }).permission)).toEqual([
      'customer.export',
      'customer.erase',
    ]);
    expect(await auditActions(officer.staff.id)).toEqual(['customer.find', 'customer.view']);

    // A language switch re-renders the page in the action's answer: no view, a way back to one.
    await agent.page.getByRole('button', { name: 'Français' }).click();
    await expect(agent.page.getByText('Ouvrez à nouveau le client pour voir ses données')).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    expect(await auditActions(agent.staff.id)).toHaveLength(4);
    await agent.page.getByRole('link', { name: 'Afficher le client' }).click();
    await expect(agent.page.getByText('Consentements donnés')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    expect((await auditActions(agent.staff.id)).slice(4)).toEqual(['customer.view']);
  });

  test('bad input gets a clear message and writes nothing', async ({ staffPage, createCustomer, baseURL }) => {
    const customer = await createCustomer();
    const { page, staff } = await staffPage(['privacy-officer']);
    await page.goto('/console/customers');
    await waitForHydration(page.getByRole('button', { name: 'Find' }));
    const email = page.getByLabel("Customer's email address");
    const reason = page.getByLabel('Reason');

    // Missing reason, a script for an address: refused in the browser, then by the server.
    await email.fill('<script>alert(1)</script>');
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
    await expect(page.getByText('Give the reason for this request.')).toBeVisible();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(await seriousViolations(page)).toEqual([]);

    await email.fill(customer.email);
    await reason.fill('x'.repeat(10_000));
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('A reason can be at most 500 characters long.')).toBeVisible();
    // The same, past the browser's check: the server refuses it on its own.
    await reason.fill('DSR-rewritten');
    await expect(page.getByText('A reason can be at most 500 characters long.')).toBeHidden();
    await rewriteServerActions(
      page,
      (body) => body.includes('DSR-rewritten'),
      (body) => body.replace('DSR-rewritten', 'x'.repeat(10_000)),
    );
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('A reason can be at most 500 characters long.')).toBeVisible();
    await page.unrouteAll();
    expect(await auditActions(staff.id)).toEqual([]);

    // An unknown address: said plainly, and the search is audited without it.
    await email.fill(`nobody-${customer.email}`);
    await reason.fill('DSR-9 <b>bold</b>');
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('No customer has this email address.')).toBeVisible();
    expect(await auditActions(staff.id)).toEqual(['customer.find']);

    // A customer's page without a find, and a malformed id: nothing shown, nothing written.
    await page.goto(`/console/customers/${crypto.randomUUID()}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Find the customer first' })).toBeVisible();
    const malformed = await page.goto('/console/customers/%3Cscript%3E');
    expect(malformed?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'Find the customer first' })).toBeVisible();

    // The export route: no reason, an over-long one, a body that is not JSON, an unknown customer.
    const post = (id: string, data: unknown, headers: Record<string, string> = {}) =>
      page.request.post(`/console/customers/${id}/export`, { headers: { origin: baseURL!, ...headers }, data });
    const noReason = await post(customer.id, {});
    expect(noReason.status()).toBe(400);
    expect(await noReason.json()).toMatchObject({ fieldErrors: { reason: 'dataRequest.reasonRequired' } });
    expect((await post(customer.id, { reason: 'x'.repeat(10_000) })).status()).toBe(400);
    expect((await post(customer.id, '{"reason":', { 'content-type': 'application/json' })).status()).toBe(400);
    expect((await post(crypto.randomUUID(), { reason: 'DSR-9' })).status()).toBe(404);
    expect((await post('%3Cscript%3E', { reason: 'DSR-9' })).status()).toBe(404);
    // A cross-site post is refused before the route runs (proxy.ts).
    expect(
      (await page.request.post(`/console/customers/${customer.id}/export`, { data: { reason: 'x' } })).status(),
    ).toBe(403);

    expect(await auditActions(staff.id)).toEqual(['customer.find']);
    expect(await prisma.dataAccessLog.count({ where: { customerId: customer.id } })).toBe(0);
    const [find] = await prisma.auditLog.findMany({ where: { actorStaffId: staff.id } });
    expect(find).toMatchObject({ customerId: null, reason: 'DSR-9 <b>bold</b>', details: { found: false } });
  });
});
