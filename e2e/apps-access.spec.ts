/**
 * "Apps with access" on the privacy dashboard: a registered app is listed with
 * what it reads and why; the customer withdraws its access and allows it again, each in
 * one click, effective at once, with its event; in French too; axe finds nothing serious.
 */
import { randomBytes } from 'node:crypto';

import { appReader, createApp, type AppInput } from '../server/apps/registry';
import { readCustomers } from '../server/consent/policy';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';

test.describe.configure({ timeout: 90_000 });

// Apps are global to the database (other specs' apps may be listed too): each test
// registers its own, under a unique name, and removes it afterwards.
const appIds: string[] = [];
test.afterEach(async () => {
  await prisma.app.deleteMany({ where: { id: { in: appIds.splice(0) } } });
});

async function registerApp(input: Omit<AppInput, 'name'>) {
  const { app } = await createApp({ ...input, name: `e2e-app-${randomBytes(4).toString('hex')}` }, TEST_ACTOR);
  appIds.push(app.id);
  return app;
}

test('an app is listed with what it reads and why; its access is withdrawn, then allowed again, in one click each', async ({
  signedInPage: page,
  customer,
}) => {
  const app = await registerApp({
    description: 'Prints your checkbooks and mails them to you.',
    purposes: 'service,marketing-emails',
    fields: 'name,postalAddress:service,email:marketing-emails',
  });
  await page.goto('/account/privacy');
  const region = page.getByRole('region', { name: 'Apps with access' });
  const item = region.getByRole('listitem').filter({ has: page.getByRole('heading', { name: app.name, exact: true }) });
  await expect(item.getByText('Prints your checkbooks and mails them to you.')).toBeVisible();
  await expect(item.getByRole('definition')).toHaveText([
    'for: Terms of use and privacy notice and Marketing emails',
    'for: Marketing emails',
    'for: Terms of use and privacy notice',
  ]);
  await expect(item.getByRole('term')).toHaveText(['name', 'email address', 'postal addresses']);
  await expect(item.getByText('Has access')).toBeVisible();
  // Marketing emails are not allowed: the email address is not among what it sees.
  await expect(item.getByText('It can see now: name and postal addresses.')).toBeVisible();

  const withdraw = item.getByRole('button', { name: `Withdraw access: ${app.name}` });
  await waitForHydration(withdraw);
  await withdraw.click();
  await expect(item.getByText(`${app.name} no longer sees your data. It applies at once.`)).toBeVisible();
  await expect(item.getByText('Access withdrawn')).toBeVisible();
  await expect(
    item.getByText('You withdrew its access: it sees none of your data, whatever you allow above.'),
  ).toBeVisible();
  // The same button, now the way back, keeps the keyboard focus.
  const allow = item.getByRole('button', { name: `Allow again: ${app.name}` });
  await expect(allow).toBeFocused();
  expect(await prisma.appAccessWithdrawal.count({ where: { customerId: customer.id, appId: app.id } })).toBe(1);

  await page.reload();
  await expect(item.getByText('Access withdrawn')).toBeVisible();
  await waitForHydration(allow);
  await allow.click();
  await expect(item.getByText(`${app.name} has access again, as far as your consents allow.`)).toBeVisible();
  await expect(item.getByText('It can see now: name and postal addresses.')).toBeVisible();
  await expect(item.getByRole('button', { name: `Withdraw access: ${app.name}` })).toBeVisible();
  expect(await prisma.appAccessWithdrawal.count({ where: { customerId: customer.id, appId: app.id } })).toBe(0);

  const events = await prisma.outboxEvent.findMany({
    where: { customerId: customer.id, type: 'consent.updated' },
    orderBy: { id: 'asc' },
    select: { payload: true },
  });
  expect(events.map((e) => e.payload)).toEqual([
    { customerId: customer.id, app: app.clientId, appName: app.name, access: 'withdrawn', channel: 'portal' },
    { customerId: customer.id, app: app.clientId, appName: app.name, access: 'allowed', channel: 'portal' },
  ]);
  expect(await seriousViolations(page)).toEqual([]);
});

test('the section in French, with a withdrawn app', async ({ signedInPage: page, customer }) => {
  const app = await registerApp({ purposes: 'service', fields: 'name,phone' });
  await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: app.id } });
  await page.goto('/account/privacy');
  await page.getByRole('button', { name: 'Français' }).click();
  const region = page.getByRole('region', { name: 'Applications ayant accès' });
  const item = region.getByRole('listitem').filter({ has: page.getByRole('heading', { name: app.name, exact: true }) });
  await expect(item.getByText('Accès retiré')).toBeVisible();
  await expect(item.getByRole('term')).toHaveText(['nom et prénom', 'numéro de téléphone']);
  await expect(item.getByRole('definition').first()).toHaveText(
    "pour : Conditions d'utilisation et politique de confidentialité",
  );
  await expect(item.getByRole('button', { name: `Autoriser à nouveau : ${app.name}` })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("an app id that is no app's changes nothing and says so", async ({ signedInPage: page, customer }) => {
  const app = await registerApp({ purposes: 'service', fields: 'name' });
  await page.goto('/account/privacy');
  const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: app.name, exact: true }) });
  const withdraw = item.getByRole('button', { name: `Withdraw access: ${app.name}` });
  await waitForHydration(withdraw);
  // Removed from the registry while the page was open.
  await prisma.app.delete({ where: { id: app.id } });
  await withdraw.click();
  await expect(item.getByText('This app is no longer listed. Reload the page.')).toBeVisible();
  expect(await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'consent.updated' } })).toBe(0);
});

test("an app's read is listed under who looked at the data, in words the customer reads", async ({
  signedInPage: page,
  customer,
}) => {
  const app = await registerApp({ purposes: 'service', fields: 'name,postalAddress' });
  await readCustomers(appReader(app, 'order 4411'), { ids: [customer.id] });
  await page.goto('/account/privacy');
  const region = page.getByRole('region', { name: 'Who looked at your data' });
  const entry = region.getByRole('listitem').filter({ hasText: app.name });
  await expect(entry).toContainText(`App · ${app.name} read name and postal addresses`);
  await expect(entry).toContainText('reason: Terms of use and privacy notice (order 4411)');
});
