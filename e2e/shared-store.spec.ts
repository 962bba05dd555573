/**
 * The shared store end to end (docs/api.md), with the checkbook example
 * app (examples/checkbook-app) running as a separate process that knows Accord
 * only through its public API and its webhooks:
 *   - a home address changed in the portal shows on the open checkbook page
 *     within 2 seconds of the portal's "Saved", without a reload;
 *   - once the customer withdraws the app's access, the next API read carries
 *     no address, the withdrawal's consent.updated webhook carries no customer
 *     at all (the checkbook page says Accord shares nothing), and a later change
 *     sends the app nothing: that delivery is suppressed, not sent;
 *   - a direct SQL read through the app's database role (grantDatabaseRole)
 *     no longer finds the customer in shared.customers.
 *
 * The customer withdraws the app on /account/privacy ("Apps with access").
 * The checkbook app listens on E2E_CHECKBOOK_PORT (default 3191); the app
 * server runs the webhook worker in-process (WEBHOOK_WORKER, on by default).
 */
import { randomBytes } from 'node:crypto';

import type { Locator, Page } from '@playwright/test';
import pg from 'pg';

import { grantDatabaseRole } from '../server/apps/db-roles';
import { createApp, type CreatedApp } from '../server/apps/registry';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { startCheckbook, stopCheckbook, type Checkbook } from './checkbook';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';
import { adminQuery } from './server-env';

const checkbookPort = Number(process.env.E2E_CHECKBOOK_PORT ?? 3191);
const checkbookURL = `http://localhost:${checkbookPort}`;

// One long story with a dozen round trips through the app, its worker and a
// second server, on a 2-core machine shared with the other Playwright worker.
test.describe.configure({ timeout: 120_000 });

/** A token as any app gets one: client credentials, client_secret_basic. */
async function appToken(accordURL: string, app: CreatedApp): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(app.app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString(
    'base64',
  );
  const res = await fetch(`${accordURL}/api/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}

async function readThroughApi(
  accordURL: string,
  token: string,
  customerId: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${accordURL}/api/v1/customers/${customerId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type AddressColumns = {
  visible_fields: string[];
  first_name: string | null;
  home_line1: string | null;
  home_postal_code: string | null;
  home_city: string | null;
  home_country: string | null;
};

async function readThroughView(client: pg.Client, customerId: string): Promise<AddressColumns | undefined> {
  const { rows } = await client.query<AddressColumns>(
    'SELECT visible_fields, first_name, home_line1, home_postal_code, home_city, home_country FROM shared.customers WHERE id = $1',
    [customerId],
  );
  return rows[0];
}

function addressCard(page: Page): Locator {
  return page.getByRole('region', { name: 'Home address' });
}

async function saveHomeAddress(
  page: Page,
  a: { line1: string; line2: string; postalCode: string; city: string },
): Promise<void> {
  await page.goto('/account/profile');
  const home = addressCard(page);
  const add = home.getByRole('button', { name: 'Add: Home address' });
  const edit = home.getByRole('button', { name: 'Edit: Home address' });
  await waitForHydration(page.getByRole('form', { name: 'Personal details' }).getByRole('button', { name: 'Save' }));
  await ((await add.isVisible()) ? add : edit).click();
  await home.getByLabel('Country').selectOption({ label: 'France' });
  await home.getByLabel('Street and number').fill(a.line1);
  await home.getByLabel('Apartment, building, floor').fill(a.line2);
  await home.getByLabel('Postcode').fill(a.postalCode);
  await home.getByLabel('Town or city').fill(a.city);
  await home.getByRole('button', { name: 'Save' }).click();
  await expect(home.getByText('Saved.', { exact: false })).toBeVisible({ timeout: 15_000 });
}

test('the checkbook app shows an address change within 2 s, and no address once its access is withdrawn: API, webhooks and SQL alike', async ({
  signedInPage: page,
  customer,
  baseURL,
}, testInfo) => {
  const accordURL = baseURL!;
  const app = await createApp(
    {
      name: `checkbook-${randomBytes(4).toString('hex')}`,
      description: 'Orders your checkbooks and sends them to your home address.',
      purposes: 'service',
      fields: 'name,postalAddress',
      webhook: `${checkbookURL}/webhooks`,
    },
    TEST_ACTOR,
  );
  let checkbook: Checkbook | undefined;
  let sql: pg.Client | undefined;
  let dbRole: string | undefined;
  try {
    checkbook = await startCheckbook(app, accordURL, { port: checkbookPort });
    const shop = await page.context().newPage();
    await shop.goto(`${checkbookURL}/customers/${customer.id}`);
    const name = shop.getByRole('region', { name: 'Name' });
    const address = shop.getByRole('region', { name: 'Postal address' });
    await expect(name).toContainText('Camille');
    await expect(address).toContainText('No home address given');
    await expect(shop.getByRole('status')).toHaveText(/^Live:/);
    expect(await seriousViolations(shop)).toEqual([]);

    await test.step('an address saved in the portal shows on the open checkbook page within 2 s', async () => {
      await saveHomeAddress(page, {
        line1: '12 rue des Lilas',
        line2: 'Bâtiment <b>B</b>',
        postalCode: '75011',
        city: 'Paris',
      });
      const saved = Date.now();
      await expect(address).toContainText('12 rue des Lilas', { timeout: 2_000 });
      const latency = Date.now() - saved;
      testInfo.annotations.push({ type: 'portal save → checkbook page', description: `${latency} ms` });
      console.log(`[shared-store] portal "Saved" → checkbook page: ${latency} ms`);
      // Customer data is text to the checkbook app, never markup.
      await expect(address).toContainText('Bâtiment <b>B</b>');
      await expect(address.locator('b')).toHaveCount(0);
      await expect(address).toContainText('75011 Paris');
      await expect(address).toContainText('France');
    });

    const token = await appToken(accordURL, app);
    const before = await readThroughApi(accordURL, token, customer.id);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      id: customer.id,
      firstName: 'Camille',
      addresses: { home: { line1: '12 rue des Lilas', city: 'Paris' } },
    });

    const grant = await grantDatabaseRole(app.app.name, TEST_ACTOR);
    expect(grant).not.toBeNull();
    dbRole = grant!.role;
    sql = new pg.Client({ connectionString: grant!.url });
    await sql.connect();
    expect(await readThroughView(sql, customer.id)).toMatchObject({
      first_name: 'Camille',
      home_line1: '12 rue des Lilas',
      home_city: 'Paris',
    });

    await test.step('the customer withdraws the app on /account/privacy: the checkbook page says no address is shared', async () => {
      await page.goto('/account/privacy');
      const item = page
        .getByRole('region', { name: 'Apps with access' })
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: app.app.name, exact: true }) });
      const withdraw = item.getByRole('button', { name: `Withdraw access: ${app.app.name}` });
      await waitForHydration(withdraw);
      await withdraw.click();
      await expect(item.getByText(`${app.app.name} no longer sees your data. It applies at once.`)).toBeVisible({
        timeout: 15_000,
      });
      // Its consent.updated webhook carries no customer at all (customer: null): no field, no version.
      await expect(address).toContainText('No address shared', { timeout: 5_000 });
      await expect(
        shop.getByText(/^Accord shares nothing of this customer with Checkbook, webhook consent\.updated at /),
      ).toBeVisible();
      await expect(address).not.toContainText('12 rue des Lilas');
      await expect(name).toContainText('Name not shared');
    });

    await test.step('the next API read carries no address', async () => {
      const after = await readThroughApi(accordURL, token, customer.id);
      expect(JSON.stringify(after.body)).not.toContain('Lilas');
      if (after.status === 200) {
        expect(after.body.id).toBe(customer.id);
        expect(after.body).not.toHaveProperty('addresses');
        expect(after.body).not.toHaveProperty('firstName');
      } else {
        expect(after.status).toBe(404);
      }
    });

    await test.step('a later change sends the checkbook app no webhook at all: its delivery is suppressed', async () => {
      await saveHomeAddress(page, { line1: '8 avenue Foch', line2: '', postalCode: '75116', city: 'Paris' });
      // The worker decides at delivery time that the app may learn nothing of it, and records it so, without sending.
      await expect
        .poll(
          async () =>
            (
              await prisma.webhookDelivery.findMany({
                where: { appId: app.app.id, event: { customerId: customer.id } },
                select: { status: true, event: { select: { type: true } } },
                orderBy: { id: 'asc' },
              })
            ).map((d) => `${d.event.type} ${d.status}`),
          { timeout: 10_000 },
        )
        .toEqual(['customer.updated delivered', 'consent.updated delivered', 'customer.updated suppressed']);
      // A moment more, for any webhook that would still be on its way: none comes.
      await shop.waitForTimeout(1_000);
      // The checkbook app lists the webhooks it received, newest first, with the fields they carried:
      // for this customer still only the first address change and the withdrawal's consent.updated (carrying nothing).
      const recent = await shop.context().newPage();
      await recent.goto(checkbookURL);
      const rows = recent.getByRole('row').filter({ hasText: customer.id });
      await expect(rows).toHaveCount(2);
      await expect(rows.nth(0)).toContainText('consent.updated');
      await expect(rows.nth(0)).toContainText('nothing');
      await expect(rows.nth(1)).toContainText('customer.updated');
      await recent.close();
      // The open page still shows the card of the consent.updated webhook: nothing shared, nothing newer.
      await expect(
        shop.getByText(/^Accord shares nothing of this customer with Checkbook, webhook consent\.updated at /),
      ).toBeVisible();
      await expect(address).toContainText('No address shared');
      await expect(address).not.toContainText('Foch');
      await expect(address).not.toContainText('Lilas');
    });

    await test.step("a direct SQL read through the app's database role no longer finds the customer", async () => {
      expect(await readThroughView(sql!, customer.id)).toBeUndefined();
    });
  } finally {
    await sql?.end().catch(() => undefined);
    // The app first (its deliveries go with it), then its receiver.
    await prisma.app.delete({ where: { id: app.app.id } }).catch(() => undefined);
    await stopCheckbook(checkbook);
    // Roles belong to the whole PostgreSQL server, not to this test's database.
    if (dbRole) {
      const role = `"${dbRole.replaceAll('"', '""')}"`;
      await adminQuery(`DROP OWNED BY ${role}`).catch(() => undefined);
      await adminQuery(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
    if (testInfo.status !== testInfo.expectedStatus && checkbook) {
      await testInfo.attach('checkbook app output', { body: checkbook.output.join(''), contentType: 'text/plain' });
    }
  }
});
