/**
 * Apps in the console (issue 13 item 5): what `npm run apps` does, for administrators,
 * through the same registry code; a secret shown once; every change audited as the member.
 */
import { randomBytes } from 'node:crypto';

import type { APIRequestContext, Page } from '@playwright/test';

import { createApp, setAppDisabled } from '../server/apps/registry';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { captureServerAction, replay, rewriteServerActions, seriousViolations } from './helpers';

const appName = () => `e2e-console-${randomBytes(4).toString('hex')}`;

async function tokenStatus(request: APIRequestContext, clientId: string, secret: string): Promise<number> {
  const response = await request.post('/api/oauth/token', {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    form: { grant_type: 'client_credentials' },
  });
  return response.status();
}

async function auditActions(clientId: string) {
  return prisma.auditLog.findMany({
    where: { objectId: clientId },
    orderBy: { id: 'asc' },
    select: { action: true, actorType: true, actorStaffId: true, requestId: true },
  });
}

/** Fills the new-app form with a valid declaration. */
async function fillNewApp(page: Page, name: string) {
  await page.goto('/console/apps/new');
  await expect(page.getByRole('heading', { level: 1, name: 'Register an app' })).toBeVisible();
  await waitForHydration(page.getByLabel('Name', { exact: true }));
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Description (optional)').fill('Loyalty cards');
  await page.getByLabel('Name for Terms of use and privacy notice').check();
  await page.getByLabel('Postal address for Terms of use and privacy notice').check();
  await page.getByLabel('Webhook URL (optional)').fill('http://127.0.0.1:9/hooks');
}

/** Opens the detail page's button, confirms in the dialog, and returns the secret it then shows (if any). */
async function confirmStep(page: Page, button: string, confirm: string) {
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: confirm }).click();
}

test.describe('apps in the console', () => {
  // Whole flows with several axe passes each, on a machine the other specs share.
  test.beforeEach(() => test.slow());

  test('an administrator registers an app and sees its secret once; it gets a token; rotating refuses the old one; disable and enable', async ({
    staffPage,
  }) => {
    const { page, staff } = await staffPage(['administrator']);
    await page.goto('/console');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Apps' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Apps' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    const name = appName();
    await fillNewApp(page, name);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Register the app' }).click();

    const created = page.getByRole('dialog', { name: 'App registered' });
    await expect(created).toBeVisible();
    await expect(created).toContainText('you will not see it again');
    const clientId = await created.getByRole('textbox', { name: 'Client id' }).inputValue();
    const secret = await created.getByRole('textbox', { name: 'Client secret' }).inputValue();
    const webhookSecret = await created.getByRole('textbox', { name: 'Webhook secret' }).inputValue();
    expect(secret).toMatch(/^cs_/);
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(page.url()).not.toContain(secret);

    // Reloading shows no secret: it was in the action's answer only.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Register an app' })).toBeVisible();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    expect(await tokenStatus(page.request, clientId, secret)).toBe(200);
    expect(await prisma.app.findUniqueOrThrow({ where: { name } })).toMatchObject({
      clientId,
      purposes: ['terms-of-service'],
      fieldPurposes: { name: ['terms-of-service'], postalAddress: ['terms-of-service'] },
      scopes: ['customers:read'],
      description: 'Loyalty cards',
    });

    await page.goto('/console/apps');
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText(clientId);
    await expect(row).toContainText('Active');
    await expect(row).toContainText('Nothing delivered yet');
    await row.getByRole('link', { name }).click();
    await expect(page).toHaveURL(`/console/apps/${clientId}`);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await waitForHydration(page.getByRole('button', { name: 'Rotate the client secret' }));
    await confirmStep(page, 'Rotate the client secret', 'Rotate the secret');
    const rotated = page.getByRole('dialog', { name: 'New client secret' });
    const newSecret = await rotated.getByRole('textbox', { name: 'Client secret' }).inputValue();
    expect(newSecret).not.toBe(secret);
    await rotated.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(await page.content()).not.toContain(newSecret);
    expect(await tokenStatus(page.request, clientId, secret)).toBe(401);
    expect(await tokenStatus(page.request, clientId, newSecret)).toBe(200);

    await confirmStep(page, 'Disable the app', 'Disable the app');
    await expect(page.getByRole('status').filter({ hasText: 'The app is disabled' })).toBeVisible();
    expect(await tokenStatus(page.request, clientId, newSecret)).toBe(401);
    await confirmStep(page, 'Enable the app', 'Enable the app');
    await expect(page.getByRole('status').filter({ hasText: 'The app is enabled' })).toBeVisible();
    expect(await tokenStatus(page.request, clientId, newSecret)).toBe(200);

    const audit = await auditActions(clientId);
    expect(audit.map((a) => a.action)).toEqual(['app.create', 'app.secret.rotate', 'app.disable', 'app.enable']);
    for (const a of audit) {
      expect(a).toMatchObject({ actorType: 'staff', actorStaffId: staff.id });
      expect(a.requestId).toBeTruthy();
    }
    await setAppDisabled(clientId, true, TEST_ACTOR);
  });

  test('an administrator sends a dead webhook delivery again', async ({ staffPage }) => {
    const { page, staff } = await staffPage(['administrator']);
    const { app } = await createApp(
      { name: appName(), purposes: 'service', fields: 'name', webhook: 'http://127.0.0.1:9/hooks' },
      TEST_ACTOR,
    );
    const event = await prisma.outboxEvent.create({
      data: { type: 'customer.updated', payload: {}, dispatchedAt: new Date() },
      select: { id: true },
    });
    const delivery = await prisma.webhookDelivery.create({
      data: { outboxId: event.id, appId: app.id, status: 'dead', attempts: 8, lastStatus: 503, lastError: 'HTTP 503' },
      select: { id: true },
    });

    await page.goto('/console/apps');
    await expect(page.getByRole('row', { name: new RegExp(app.name) })).toContainText('1 failed delivery');
    await page.goto(`/console/apps/${app.clientId}`);
    const row = page.getByRole('row', { name: new RegExp(`#${delivery.id}`) });
    await expect(row).toContainText('Dead');
    await expect(row).toContainText('503 HTTP 503');
    expect(await seriousViolations(page)).toEqual([]);

    const send = row.getByRole('button', { name: `Send #${delivery.id} again` });
    await waitForHydration(send);
    await send.click();
    await expect(page.getByText('1 delivery queued.')).toBeVisible();
    // Queued again; the app's worker then takes it (this event has nothing the app may see: suppressed).
    await expect(page.getByRole('row', { name: new RegExp(`#${delivery.id}`) })).not.toContainText('Dead');
    expect((await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).not.toBe('dead');
    expect((await auditActions(app.clientId)).at(-1)).toMatchObject({
      action: 'app.deliveries.redrive',
      actorStaffId: staff.id,
    });
    await setAppDisabled(app.clientId, true, TEST_ACTOR);
  });

  test('an administrator rotates the webhook secret, gives database access and takes it back; each secret shown once', async ({
    staffPage,
  }) => {
    const { page, staff } = await staffPage(['administrator']);
    const created = await createApp(
      { name: appName(), purposes: 'service', fields: 'name', webhook: 'http://127.0.0.1:9/hooks' },
      TEST_ACTOR,
    );
    const { app } = created;
    await page.goto(`/console/apps/${app.clientId}`);
    await waitForHydration(page.getByRole('button', { name: 'Rotate the webhook secret' }));

    await confirmStep(page, 'Rotate the webhook secret', 'Rotate the webhook secret');
    const hook = page.getByRole('dialog', { name: 'New webhook secret' });
    const webhookSecret = await hook.getByRole('textbox', { name: 'Webhook secret' }).inputValue();
    await hook.getByRole('button', { name: 'Done' }).click();
    expect(await prisma.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({
      webhookSecret,
      webhookSecretPrevious: created.webhookSecret,
    });

    await confirmStep(page, 'Give database access', 'Give access');
    const access = page.getByRole('dialog', { name: 'Database access' });
    const url = new URL(await access.getByRole('textbox', { name: 'Database URL, with its password' }).inputValue());
    expect(await seriousViolations(page)).toEqual([]);
    await access.getByRole('button', { name: 'Done' }).click();
    const role = decodeURIComponent(url.username);
    try {
      expect((await prisma.app.findUniqueOrThrow({ where: { id: app.id } })).dbRole).toBe(role);
      expect(await page.content()).not.toContain(url.password);

      await confirmStep(page, 'Remove database login', 'Remove the login');
      await expect(page.getByRole('status').filter({ hasText: 'can no longer log in' })).toBeVisible();
      const login = await prisma.$queryRaw<Array<{ rolcanlogin: boolean }>>`
        SELECT rolcanlogin FROM pg_roles WHERE rolname = ${role}`;
      expect(login).toEqual([{ rolcanlogin: false }]);
      expect((await auditActions(app.clientId)).slice(1)).toMatchObject([
        { action: 'app.webhook-secret.rotate', actorStaffId: staff.id },
        { action: 'app.db-role.grant', actorStaffId: staff.id },
        { action: 'app.db-role.revoke', actorStaffId: staff.id },
      ]);
    } finally {
      await setAppDisabled(app.clientId, true, TEST_ACTOR);
      await prisma.$executeRawUnsafe(`DROP OWNED BY "${role}"`).catch(() => undefined);
      await prisma.$executeRawUnsafe(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    }
  });

  test('a marketer or a support agent gets 403 on the pages and on the replayed create action, and nothing is written', async ({
    staffPage,
    baseURL,
  }) => {
    const { page: admin } = await staffPage(['administrator']);
    const name = appName();
    await fillNewApp(admin, name);
    const create = await captureServerAction(admin, () =>
      admin.getByRole('button', { name: 'Register the app' }).click(),
    );

    for (const role of ['marketer', 'support-agent'] as const) {
      const { page, staff } = await staffPage([role]);
      await page.goto('/console');
      await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Apps' })).toHaveCount(
        0,
      );
      for (const path of ['/console/apps', '/console/apps/new']) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(403);
        await expect(page.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
      }
      const replayed = await replay(page, create, baseURL!);
      expect(replayed.status()).toBe(403);
      const rows = await prisma.auditLog.findMany({ where: { actorStaffId: staff.id }, select: { action: true } });
      expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['access.denied']));
    }
    expect(await prisma.app.findUnique({ where: { name } })).toBeNull();
  });

  test('bad input gets field errors in the browser and from the server, and writes nothing', async ({ staffPage }) => {
    const { page, staff } = await staffPage(['administrator']);
    const name = appName();
    await fillNewApp(page, 'x'.repeat(10_000));
    await page.getByLabel('Description (optional)').fill('<script>alert(1)</script>');
    await page.getByLabel('Webhook URL (optional)').fill('http://10.0.0.1/hooks');
    await page.getByRole('button', { name: 'Register the app' }).click();
    await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(/Use 2 to 40 lower-case/);
    await expect(page.getByLabel('Description (optional)')).toHaveAccessibleDescription(/Use plain text/);
    await expect(page.getByLabel('Webhook URL (optional)')).toHaveAccessibleDescription(/Use an https URL/);
    expect(await seriousViolations(page)).toEqual([]);

    // A client that skips the browser's checks: the server refuses the same way.
    await fillNewApp(page, name);
    await rewriteServerActions(
      page,
      (body) => body.includes(name),
      (body) => {
        const args = JSON.parse(body) as [Record<string, unknown>];
        args[0] = {
          ...args[0],
          name: `<script>${'x'.repeat(10_000)}</script>`,
          description: 'd'.repeat(10_000),
          scopes: ['customers:read', 'admin:everything'],
          webhook: 'http://10.0.0.1/hooks',
        };
        return JSON.stringify(args);
      },
    );
    await page.getByRole('button', { name: 'Register the app' }).click();
    await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(/Use 2 to 40 lower-case/);
    await expect(page.getByLabel('Description (optional)')).toHaveAccessibleDescription(/at most 500 characters/);
    await expect(page.getByRole('group', { name: 'Scopes' })).toHaveAccessibleDescription(
      /Choose scopes from the list/,
    );
    await expect(page.getByLabel('Webhook URL (optional)')).toHaveAccessibleDescription(/Use an https URL/);
    expect(await seriousViolations(page)).toEqual([]);

    expect(await prisma.app.findUnique({ where: { name } })).toBeNull();
    expect(await prisma.auditLog.count({ where: { actorStaffId: staff.id } })).toBe(0);
  });
});
