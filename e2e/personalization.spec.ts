/**
 * Issue #14's acceptance (docs/decisions/035-personalization.md §8 "Acceptance"): the home page's
 * content imported with `npm run content`; an app posts a running `cart.item_added` with an
 * Idempotency-Key; the customer's /account shows the running block at the next load and the
 * decision API returns it; the customer withdraws personalization on /account/privacy; the next
 * load shows generic content and says personalization is off, and the API returns generic blocks.
 * Then bad input for the preference center's actions: forged, long and HTML values refused with a
 * message and nothing written, another customer's signal id deleting nothing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import type { Page } from '@playwright/test';

import { recordSignal } from '../server/personalization/signals';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { isServerAction, rewriteServerActions, seriousViolations } from './helpers';
import {
  answerPersonalization,
  appToken,
  ensurePersonalizationReferenceData,
  personalizationApps,
} from './personalization-helpers';
import { TEST_AUTH_SECRET } from './test-secrets';

test.describe.configure({ timeout: 120_000 });

const run = promisify(execFile);
const CONTENT_FILE = 'examples/content/home.json';

type FileBlock = {
  key: string;
  slot: string;
  title: { en: string; fr: string };
  priority: number;
  generic: boolean;
  rule: unknown;
};
type ContentFile = { segments?: Array<{ key: string; rule: unknown }>; blocks: FileBlock[] };

/**
 * The file's running block (not generic, its rule, or a segment it names, asks for running) and
 * the generic blocks of its slot: the spec follows the example content rather than copying it.
 */
function runningContent() {
  const file = JSON.parse(readFileSync(CONTENT_FILE, 'utf8')) as ContentFile;
  const mentionsRunning = (rule: unknown): boolean => {
    const text = JSON.stringify(rule);
    if (text.includes('"running"')) return true;
    return (file.segments ?? []).some(
      (s) => text.includes(`"${s.key}"`) && JSON.stringify(s.rule).includes('"running"'),
    );
  };
  const running = file.blocks.find((b) => !b.generic && mentionsRunning(b.rule));
  if (!running) throw new Error(`${CONTENT_FILE} has no block for running`);
  // The first fills the slot before the others (decide: by priority, then key).
  const generic = file.blocks
    .filter((b) => b.generic && b.slot === running.slot)
    .sort((a, b) => b.priority - a.priority || a.key.localeCompare(b.key));
  return { running, generic };
}

/** `npm run content -- import <file>` as an operator runs it, against the e2e app's database. */
async function importContent(): Promise<void> {
  await run(
    process.execPath,
    ['--import', 'tsx', '--conditions=react-server', 'scripts/content.ts', 'import', CONTENT_FILE],
    { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '', AUTH_SECRET: TEST_AUTH_SECRET } },
  );
}

type ContentAnswer = {
  customerId: string;
  personalized: boolean;
  slots: Record<string, Array<{ title: string }>>;
};

async function contentThroughApi(baseURL: string, token: string, customerId: string, slot: string) {
  const res = await fetch(new URL(`/api/v1/customers/${customerId}/content?slot=${slot}&locale=en`, baseURL), {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ContentAnswer;
}

test.beforeAll(ensurePersonalizationReferenceData);
const apps = personalizationApps();
test.afterEach(() => apps.cleanUp());

test("#14: an app's cart signal personalizes /account and the decision API, until the customer withdraws", async ({
  signedInPage: page,
  customer,
  baseURL,
}) => {
  const { running, generic } = runningContent();
  await importContent();
  await answerPersonalization(customer.id, true);
  const app = await apps.register({
    scopes: 'signals:write,content:read',
    purposes: 'personalization',
    fields: 'preferences:personalization,signals:personalization',
  });
  const token = await appToken(baseURL!, app);

  // Before any signal, the customer is not a runner: the slot shows generic blocks only.
  await page.goto('/account');
  const slotTitles = page.getByRole('main');
  await expect(slotTitles.getByText(generic[0]!.title.en)).toBeVisible();
  await expect(slotTitles.getByText(running.title.en)).toHaveCount(0);

  // The app posts the running item added to the cart; the same request again is a replay.
  const key = randomUUID();
  const post = () =>
    fetch(new URL(`/api/v1/customers/${customer.id}/signals`, baseURL), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ type: 'cart.item_added', category: 'running', item: 'SKU-RUN-42' }),
    });
  const first = await post();
  expect(first.status, await first.clone().text()).toBe(201);
  const again = await post();
  expect(again.status).toBe(201);
  expect(await again.json()).toEqual(await first.json());
  expect(
    await prisma.customerSignal.findMany({
      where: { customerId: customer.id },
      select: { kind: true, category: true, item: true, appId: true },
    }),
  ).toEqual([{ kind: 'cart-added', category: 'running', item: 'SKU-RUN-42', appId: app.id }]);

  // The next load of /account shows the running block.
  await page.reload();
  await expect(slotTitles.getByText(running.title.en)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  // The decision API gives the app the same block.
  const personalized = await contentThroughApi(baseURL!, token, customer.id, running.slot);
  expect(personalized.personalized).toBe(true);
  expect(personalized.slots[running.slot]!.map((b) => b.title)).toContain(running.title.en);
  // The customer sees the signal among the activity used for personalization.
  await page.goto('/account/preferences');
  await expect(
    page.getByRole('region', { name: 'Activity used for personalization' }).getByText('Added to cart: Running'),
  ).toBeVisible();

  // The customer withdraws personalization on the privacy page.
  await page.goto('/account/privacy');
  const withdraw = page.getByRole('button', { name: 'Withdraw: Personalization' });
  await waitForHydration(withdraw);
  await withdraw.click();
  await expect(page.getByText('Personalization: withdrawn. It applies at once.')).toBeVisible();
  // Its signals go with the withdrawal (the trigger on consent_receipts).
  expect(await prisma.customerSignal.count({ where: { customerId: customer.id } })).toBe(0);

  await page.goto('/account');
  await expect(page.getByText('Personalization is off, so you see the same suggestions as everyone.')).toBeVisible();
  await expect(slotTitles.getByText(generic[0]!.title.en)).toBeVisible();
  await expect(slotTitles.getByText(running.title.en)).toHaveCount(0);
  const generalized = await contentThroughApi(baseURL!, token, customer.id, running.slot);
  expect(generalized.personalized).toBe(false);
  expect(generalized.slots[running.slot]!.map((b) => b.title)).not.toContain(running.title.en);
  expect(generalized.slots[running.slot]!.map((b) => b.title)).toContain(generic[0]!.title.en);

  // And the preference center says the values are not used any more.
  await page.goto('/account/preferences');
  await expect(page.getByRole('note')).toContainText('Personalization is off');
});

test.describe('bad input to the preference center', () => {
  async function openPreferences(page: Page) {
    await page.goto('/account/preferences');
    const form = page.getByRole('form', { name: 'Your preferences' });
    await waitForHydration(form.getByRole('button', { name: 'Save preferences' }));
    return form;
  }

  test('forged, long and HTML values are refused with a message and nothing is written', async ({
    signedInPage: page,
    customer,
  }) => {
    page.on('dialog', (dialog) => {
      throw new Error(`A dialog opened: ${dialog.message()}`);
    });
    // What the form sends for Running, and for "no store", replaced on the way as a client that
    // skips the browser could.
    let interest = '"running"';
    let store = 'null';
    await rewriteServerActions(
      page,
      (body) => body.includes('"interests"'),
      (body) => body.replace('"running"', interest).replace('"favouriteStore":null', `"favouriteStore":${store}`),
    );
    const form = await openPreferences(page);
    const statuses: number[] = [];
    page.on('response', (response) => {
      if (isServerAction(response.request())) statuses.push(response.status());
    });

    const cases: Array<{ label: string; interest?: string; store?: string; error: string }> = [
      {
        label: 'a category that does not exist',
        interest: 'no-such-sport',
        error: 'Choose your interests from the list.',
      },
      { label: 'HTML', interest: '<img src=x onerror=alert(1)>', error: 'Choose your interests from the list.' },
      { label: '10 000 characters', interest: 'r'.repeat(10_000), error: 'Choose your interests from the list.' },
      { label: 'a list instead of a key', interest: '["running"]', error: 'Choose your interests from the list.' },
      { label: 'a store that does not exist', store: 'atlantis', error: 'Choose a store from the list.' },
      { label: 'a store in HTML', store: '<b>paris-rivoli</b>', error: 'Choose a store from the list.' },
    ];
    const running = form.getByRole('checkbox', { name: 'Running', exact: true });
    for (const c of cases) {
      await test.step(c.label, async () => {
        interest =
          c.interest === undefined ? '"running"' : c.interest.startsWith('[') ? c.interest : JSON.stringify(c.interest);
        store = c.store === undefined ? 'null' : JSON.stringify(c.store);
        if (!(await running.isChecked())) await running.check();
        await form.getByRole('button', { name: 'Save preferences' }).click();
        await expect(form.getByText(c.error)).toBeVisible();
      });
    }
    expect(statuses.length).toBeGreaterThanOrEqual(cases.length);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(await prisma.customerPreference.count({ where: { customerId: customer.id } })).toBe(0);
    expect(await prisma.preferenceChange.count({ where: { customerId: customer.id } })).toBe(0);
    expect(
      await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'customer.preferences_updated' } }),
    ).toBe(0);
  });

  test("another customer's signal id deletes nothing", async ({ signedInPage: page, customer, createCustomer }) => {
    const other = await createCustomer();
    for (const c of [customer, other]) await answerPersonalization(c.id, true);
    const app = await apps.register({ scopes: 'signals:write' });
    const signal = async (customerId: string) => {
      const result = await recordSignal(customerId, { kind: 'viewed', category: 'yoga' }, { app });
      if (!result.ok) throw new Error(`signal not recorded: ${result.error}`);
      return result.id;
    };
    const mine = await signal(customer.id);
    const theirs = await signal(other.id);

    await rewriteServerActions(
      page,
      (body) => body.includes(`"ids":["${mine}"]`),
      (body) => body.replace(`"ids":["${mine}"]`, `"ids":["${theirs}"]`),
    );
    await page.goto('/account/preferences');
    const activity = page.getByRole('region', { name: 'Activity used for personalization' });
    const remove = activity.getByRole('button', { name: /^Delete: Viewed: Yoga, / });
    await waitForHydration(remove);
    page.once('dialog', (dialog) => void dialog.accept());
    await remove.click();
    await expect(activity.getByText('This activity was already deleted.')).toBeVisible();
    expect(await prisma.customerSignal.count({ where: { id: BigInt(theirs) } })).toBe(1);
    expect(await prisma.customerSignal.count({ where: { id: BigInt(mine) } })).toBe(1);
    expect(
      await prisma.outboxEvent.count({
        where: { customerId: { in: [customer.id, other.id] }, type: 'customer.signals_deleted' },
      }),
    ).toBe(0);
  });
});
