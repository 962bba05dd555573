import { randomUUID } from 'node:crypto';

import type { Page } from '@playwright/test';

import { updateProfile } from '../server/customers/profile';
import { prisma } from '../server/platform/db';
import type { StaffActor } from '../server/staff/auth';
import { openCase } from '../server/support/cases';
import { expect, test, waitForHydration, type TestStaff } from './fixtures';
import { recordServerActions, replay, ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';
import { waitForMail } from './mailbox';

// Masked by default, revealed on purpose (issue 16 items 2 and 3): in a support case the
// agent's HTML never holds a value they did not reveal; a reveal is one field, with a
// reason and a ticket, for 15 minutes; the customer sees it and is mailed; outside the
// agent's own open case the action is 403 and nothing is written.

const ADDRESS = { line1: '12 rue des Lilas', postalCode: '69003', city: 'Lyon', country: 'FR' };
const PHONE = '+33612345678';

/** A case as a verification leaves it (e2e/support-handoff.spec.ts goes through the codes). */
async function openCaseFor(staff: TestStaff, customerId: string): Promise<string> {
  const actor = {
    ...staff,
    sessionId: randomUUID(),
    roles: ['support-agent'],
    locale: 'en',
    authenticatedAt: new Date(),
    audit: { type: 'staff', staffId: staff.id, label: staff.email, requestId: 'e2e-support-reveal' },
  } as StaffActor;
  return prisma.$transaction((tx) =>
    openCase(tx, actor, { customerId, method: 'support-code', sessionId: null, sessionLabel: 'Chrome on macOS' }),
  );
}

/** The case page's HTML as the server sends it, with the agent's cookies. */
async function caseHtml(page: Page, caseId: string): Promise<string> {
  const response = await page.request.get(`/console/support/cases/${caseId}`);
  expect(response.status()).toBe(200);
  return response.text();
}

const revealRows = async (customerId: string) =>
  (await prisma.dataAccessLog.findMany({ where: { customerId, purpose: 'support' } })).filter((r) =>
    r.reason?.startsWith('reveal '),
  ).length;

test.describe('reveals in a support case', () => {
  test('masked HTML, a phone revealed with a reason, seen by the customer, mailed, expired; 403 outside the case', async ({
    staffPage,
    createCustomer,
    browser,
    baseURL,
    signInAs,
  }) => {
    test.setTimeout(150_000);
    const customer = await createCustomer({ address: ADDRESS, lastName: 'Martin' });
    await updateProfile(customer.id, { phone: PHONE }, { channel: 'portal', expectedVersion: null });
    const agent = await staffPage(['support-agent'], { displayName: 'Sam Support' });
    const caseId = await openCaseFor(agent.staff, customer.id);
    // The national form of the number is in the console's own validation hint: the digits are searched instead.
    const secrets = [customer.email, PHONE, '612345678', ADDRESS.line1, ADDRESS.postalCode, 'Martin'];

    const { page } = agent;
    await page.goto(`/console/support/cases/${caseId}`);
    const view = page.getByRole('region', { name: 'Customer', exact: true });
    await expect(view.getByText(`${customer.email[0]}•••@e•••.test`)).toBeVisible();
    await expect(view.getByText('•• •• •• •• 78')).toBeVisible();
    await expect(view.getByText('Lyon, FR')).toBeVisible();
    for (const secret of secrets) expect(await caseHtml(page, caseId)).not.toContain(secret);
    expect(await seriousViolations(page)).toEqual([]);

    // Reveal the phone: a reason from the list and a ticket; empty or too long is refused first.
    const actions = recordServerActions(page, (body) => body.includes('T-1042'));
    const form = page.getByRole('region', { name: 'Reveal a value' });
    await waitForHydration(form.getByRole('button', { name: 'Reveal' }));
    await form.getByLabel('Value', { exact: true }).selectOption({ label: 'Phone' });
    await form.getByRole('button', { name: 'Reveal' }).click();
    await expect(form.getByText('Choose a reason from the list.')).toBeVisible();
    await expect(form.getByText('Enter the ticket reference.')).toBeVisible();
    await form.getByLabel('Reason').selectOption({ label: 'Delivery problem' });
    await form.getByLabel('Ticket reference').fill('x'.repeat(101));
    await form.getByRole('button', { name: 'Reveal' }).click();
    await expect(form.getByText('The ticket reference has at most 100 characters.')).toBeVisible();
    expect(await prisma.auditLog.count({ where: { customerId: customer.id, action: 'customer.reveal' } })).toBe(0);

    const sent = new Date();
    await form.getByLabel('Ticket reference').fill('T-1042');
    await form.getByRole('button', { name: 'Reveal' }).click();
    await expect(view.getByText(PHONE)).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    await expect(view.getByText(/revealed until/)).toBeVisible();
    const revealedHtml = await caseHtml(page, caseId);
    expect(revealedHtml).toContain(PHONE);
    for (const secret of secrets.filter((s) => s !== PHONE && s !== '612345678'))
      expect(revealedHtml).not.toContain(secret);
    await expect(page.getByRole('region', { name: 'Values revealed in this case' })).toContainText(
      'Phone revealed by Sam Support: Delivery problem',
    );

    // The customer: the view and the reveal in "who looked at my data", and a notice mail.
    const mail = await waitForMail(customer.email, { subjectIncludes: 'phone number', after: sent });
    expect(mail.subject).toBe('A support agent saw your phone number');
    expect(mail.text).toContain('Sam Support');
    expect(mail.text).not.toContain(PHONE);
    const customerContext = await browser.newContext({ baseURL });
    await signInAs(customerContext, customer.id);
    const customerPage = await customerContext.newPage();
    await customerPage.goto('/account/privacy');
    const access = customerPage.getByRole('region', { name: 'Who looked at your data' });
    await expect(access.getByText('Staff · Sam Support revealed your phone number').first()).toBeVisible();
    await expect(
      access.getByText('reason: your contact with our support (a delivery problem, ticket T-1042)').first(),
    ).toBeVisible();
    await expect(access.getByText(/Staff · Sam Support read .*phone number/).first()).toBeVisible();
    await expect(
      access.getByText(`reason: your contact with our support (support case ${caseId.slice(0, 8)})`).first(),
    ).toBeVisible();
    await customerContext.close();

    // The window ends (its end moved into the past): masked again, and no longer logged.
    await prisma.supportReveal.updateMany({ where: { caseId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const before = await revealRows(customer.id);
    await page.reload();
    await expect(view.getByText('•• •• •• •• 78')).toBeVisible();
    await expect(view.getByText(PHONE)).toHaveCount(0);
    for (const secret of secrets) expect(await caseHtml(page, caseId)).not.toContain(secret);
    expect(await revealRows(customer.id)).toBe(before);

    // Outside an open case of the agent: another agent replaying the action, then the case closed.
    await expect.poll(() => actions.length).toBeGreaterThan(0);
    const reveals = await prisma.auditLog.count({ where: { customerId: customer.id, action: 'customer.reveal' } });
    const other = await staffPage(['support-agent'], { displayName: 'Olive Other' });
    expect((await replay(other.page, actions[0]!, baseURL!)).status()).toBe(403);
    await prisma.supportCase.update({ where: { id: caseId }, data: { closedAt: new Date() } });
    expect((await replay(page, actions[0]!, baseURL!)).status()).toBe(403);
    expect(await prisma.auditLog.count({ where: { customerId: customer.id, action: 'customer.reveal' } })).toBe(
      reveals,
    );
    expect(await revealRows(customer.id)).toBe(before);
    const closedHtml = await caseHtml(page, caseId);
    for (const secret of [...secrets, '•• •• •• •• 78']) expect(closedHtml).not.toContain(secret);
  });
});
