/**
 * Issue 15's acceptance (docs/decisions/035-personalization.md §8), step by step in a real browser:
 * a marketer builds a "running shoes" block for customers interested in running OR with a running
 * item in their cart within 7 days, watches the estimate move as conditions are added, previews the
 * draft as a matching and a non-matching customer with the reasons, publishes it; the matching
 * customer's /account shows it; the marketer reverts and it is gone; the audit page lists each
 * step; a support agent gets 403; every console content page is axe-clean. Then the bad input:
 * long and HTML values, a text file and a 3 MiB file as images, 51 conditions, another slot's block.
 */
import { randomBytes } from 'node:crypto';

import type { Page } from '@playwright/test';

import type { Rule } from '../lib/personalization/catalogue';
import { setConsent } from '../server/consent/consent';
import { CONSENT_PURPOSES } from '../server/consent/purposes';
import { countAudience } from '../server/personalization/audience';
import { saveRevision } from '../server/personalization/content';
import { writePreferences } from '../server/personalization/preferences';
import { applyPersonalizationReferenceData } from '../server/personalization/reference';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { rewriteServerActions, ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';

const TITLE = 'Running shoes for you';
/** Counting the audience and previewing run statements over every customer: slow on a loaded machine. */
const SLOW = 60_000;

test.beforeAll(() => applyPersonalizationReferenceData());

/** The customer turned personalization on (the purpose's current text) and chose these interests. */
async function personalize(customerId: string, interests: string[]): Promise<void> {
  const version = CONSENT_PURPOSES.find((p) => p.key === 'personalization')!.version;
  const granted = await setConsent(
    customerId,
    { purposeKey: 'personalization', version, granted: true },
    { channel: 'portal', collectionMethod: 'test' },
  );
  expect(granted.ok).toBe(true);
  const written = await writePreferences(
    customerId,
    { interests, favouriteStore: null, sizes: { clothing: null, shoes: null }, channels: [] },
    { channel: 'portal', appId: null, expectedVersion: null },
  );
  expect(written.ok).toBe(true);
}

const uniqueKey = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}`;

/** Soft: the journey goes on, and the report lists every page with its violations. */
async function expectAxeClean(page: Page, what: string): Promise<void> {
  expect.soft(await seriousViolations(page), what).toEqual([]);
}

async function matching(page: Page): Promise<number | null> {
  const figure = page.getByTestId('estimate-matching');
  if (!(await figure.isVisible())) return null;
  return Number((await figure.textContent())!.replace(/\D/g, ''));
}

/** The console shows what the server counts for this rule (the figure settles after the debounce). */
async function expectEstimate(page: Page, rule: Rule): Promise<number> {
  const { matching: expected } = await countAudience(rule, {});
  await expect.poll(() => matching(page), { timeout: SLOW }).toBe(expected);
  return expected;
}

/** Preview the draft as this customer; returns the "why" line of the block. */
async function previewAs(page: Page, email: string, key: string) {
  const button = page.getByRole('button', { name: 'Preview', exact: true });
  await waitForHydration(button);
  await page.getByLabel("Customer's email address").fill(email);
  await page.getByLabel('Reason').fill('Checking the running campaign');
  await button.click();
  const why = page.getByRole('region', { name: 'Why' });
  await expect(why).toBeVisible({ timeout: SLOW });
  return why.getByRole('listitem').filter({ hasText: key }).first();
}

test('#15: build, estimate, preview, publish, see, revert, audit', async ({
  staffPage,
  createCustomer,
  newDevice,
  signInAs,
}) => {
  test.setTimeout(300_000);
  const fan = await createCustomer({ locale: 'en' });
  const other = await createCustomer({ locale: 'en' });
  const shopper = await createCustomer({ locale: 'en' });
  await personalize(fan.id, ['running']);
  await personalize(other.id, ['hiking']);
  await personalize(shopper.id, []);
  // A running item put in the cart two days ago, still there (the site's own signal).
  await prisma.customerSignal.create({
    data: {
      customerId: shopper.id,
      kind: 'cart-added',
      category: 'running',
      occurredAt: new Date(Date.now() - 2 * 86_400_000),
    },
  });

  const { page: marketer, staff } = await staffPage(['marketer']);
  const key = uniqueKey('running-shoes');

  // 1. The block, its rule built condition by condition, the estimate following.
  await marketer.goto('/console/content/blocks/new?slot=you-might-like');
  const save = marketer.getByRole('button', { name: 'Save draft' });
  await waitForHydration(save);
  await expectAxeClean(marketer, 'new block');
  await marketer.getByLabel('Key').fill(key);
  await marketer.getByRole('group', { name: 'Title' }).getByLabel('English').fill(TITLE);
  await marketer.getByRole('group', { name: 'Title' }).getByLabel('French').fill('Des chaussures de course pour vous');
  await marketer.getByRole('group', { name: 'Text' }).getByLabel('English').fill('New trail models are in.');
  await marketer.getByRole('group', { name: 'Text' }).getByLabel('French').fill('Les nouveaux modèles sont là.');

  await marketer.getByRole('button', { name: 'Add condition' }).click();
  await marketer.getByLabel('Attribute of condition 1').selectOption({ label: 'Interests' });
  await marketer
    .getByRole('group', { name: 'Values of condition 1' })
    .getByRole('checkbox', { name: 'Running', exact: true })
    .check();
  const interestOnly = await expectEstimate(marketer, { interests: { $in: ['running'] } });
  expect(interestOnly).toBeGreaterThanOrEqual(1);

  await marketer.getByLabel('Customers match when they meet').first().selectOption({ label: 'any of these' });
  await marketer.getByRole('button', { name: 'Add condition' }).click();
  await marketer.getByLabel('Attribute of condition 2').selectOption({ label: 'Still in cart' });
  await marketer.getByLabel('Period of condition 2').selectOption({ label: 'in the last 7 days' });
  await marketer
    .getByRole('group', { name: 'Values of condition 2' })
    .getByRole('checkbox', { name: 'Running', exact: true })
    .check();
  // The shopper (cart only) now matches too.
  const either = await expectEstimate(marketer, {
    $or: [{ interests: { $in: ['running'] } }, { 'signals.inCart.d7': { $in: ['running'] } }],
  });
  expect(either).toBeGreaterThan(interestOnly);
  await expectAxeClean(marketer, 'block editor with a rule');

  await save.click();
  await marketer.getByRole('link', { name: 'Publish it from its history.' }).click();
  await expect(marketer).toHaveURL(/\/console\/content\/blocks\/[0-9a-f-]{36}\/history$/);
  const blockId = marketer.url().split('/').at(-2)!;
  await expect(marketer.getByRole('heading', { level: 1, name: `History of “${key}”` })).toBeVisible();
  await expectAxeClean(marketer, 'history');

  // 2. The draft previewed as a matching and a non-matching customer, with the reasons.
  await marketer.getByRole('link', { name: 'Preview revision 1 as a customer' }).click();
  await expect(marketer.getByText(`latest revision of “${key}”`)).toBeVisible();
  const shown = await previewAs(marketer, fan.email, key);
  await expect(shown).toContainText('Shown.');
  await expect(marketer.getByTestId('preview-home')).toContainText(TITLE);
  await expectAxeClean(marketer, 'preview as a customer');

  const notShown = await previewAs(marketer, other.email, key);
  await expect(notShown).toContainText('Not shown: its rule does not match.');
  await expect(notShown.getByRole('listitem')).toHaveCount(2);
  await expect(notShown.getByRole('listitem').first()).toContainText('Did not hold:');
  await expect(marketer.getByTestId('preview-home')).not.toContainText(TITLE);
  // Each preview is in that customer's "who looked at my data".
  for (const customer of [fan, other])
    expect(
      await prisma.dataAccessLog.count({
        where: { customerId: customer.id, accessorType: 'staff', accessorId: staff.id },
      }),
    ).toBe(1);

  // 3. Published: the matching customer sees it on /account, the other does not.
  await marketer.goto(`/console/content/blocks/${blockId}/history`);
  const publish = marketer.getByRole('button', { name: 'Publish revision 1' });
  await waitForHydration(publish);
  await publish.click();
  await expect(marketer.getByRole('status').filter({ hasText: 'Done: the home page shows it now.' })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });

  const fanPage = await newDevice();
  await signInAs(fanPage.context(), fan.id);
  await fanPage.goto('/account');
  const youMightLike = fanPage.getByRole('region', { name: 'You might like' });
  await expect(youMightLike.getByRole('heading', { name: TITLE })).toBeVisible();
  const otherPage = await newDevice();
  await signInAs(otherPage.context(), other.id);
  await otherPage.goto('/account');
  await expect(otherPage.getByRole('heading', { name: TITLE })).toHaveCount(0);

  // 4. Reverted: gone from the home page.
  await marketer.reload();
  const revert = marketer.getByRole('button', { name: 'Revert this publication' });
  await waitForHydration(revert);
  await revert.click();
  // The button goes with the publication it reverted: the page itself says the block is not live.
  await expect(marketer.getByText('Slot you-might-like. Not live.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  await fanPage.reload();
  await expect(fanPage.getByRole('heading', { name: TITLE })).toHaveCount(0);

  // 5. Every step in the audit page.
  const { page: admin } = await staffPage(['administrator']);
  await admin.goto(`/console/audit?member=${staff.id}`);
  const rows = (
    await admin.getByRole('table', { name: 'Audit rows, newest first' }).getByRole('row').allTextContents()
  ).slice(1);
  for (const action of [
    'Content draft saved',
    'Home page previewed as a customer',
    'Content published',
    'Content unpublished',
  ])
    expect(
      rows.some((row) => row.includes(action)),
      action,
    ).toBe(true);
  expect(rows.filter((row) => row.includes('Home page previewed as a customer'))).toHaveLength(2);

  // 6. The stats page draws the block's figures (two days of them) as a chart and the same table.
  const revisionId = (await prisma.contentRevision.findFirstOrThrow({ where: { objectId: blockId } })).id;
  const today = new Date(new Date().toISOString().slice(0, 10));
  for (const [daysAgo, group, impressions, clicks] of [
    [1, 'personalized', 40, 10],
    [1, 'holdout', 20, 1],
    [0, 'personalized', 60, 5],
  ] as const)
    await prisma.contentStat.create({
      data: {
        day: new Date(today.getTime() - daysAgo * 86_400_000),
        revisionId,
        slot: 'you-might-like',
        channel: 'portal',
        group,
        impressions,
        clicks,
      },
    });
  await marketer.goto(`/console/content/stats?days=7&block=${blockId}`);
  const perBlock = marketer.getByRole('table', { name: 'Per block' }).getByRole('row').filter({ hasText: key });
  await expect(perBlock).toContainText('120'); // impressions
  await expect(perBlock).toContainText('16'); // clicks
  await expect(marketer.getByRole('img', { name: /Click rate per day and group/ })).toBeVisible();
  await expect(marketer.getByRole('table', { name: 'Click rate per day' })).toContainText('10 of 40');
  await expectAxeClean(marketer, 'stats with figures');

  // 7. The other console content pages, axe-clean; the support agent refused everywhere.
  for (const url of [
    '/console/content',
    `/console/content/blocks/${blockId}`,
    '/console/content/preview?as=hypothetical&interests=running&locale=en',
    '/console/content/stats',
    '/console/content/settings',
    '/console/content/segments',
  ]) {
    await marketer.goto(url);
    await expectAxeClean(marketer, url);
  }
  await expect(
    marketer
      .getByRole('region', { name: 'What this customer would see' })
      .getByRole('listitem')
      .filter({ hasText: key }),
  ).toHaveCount(0); // not live any more

  const { page: agent } = await staffPage(['support-agent']);
  for (const url of [
    '/console/content',
    '/console/content/preview',
    `/console/content/blocks/${blockId}/history`,
    '/console/content/stats',
    '/console/content/settings',
  ]) {
    const response = await agent.goto(url);
    expect(response?.status(), url).toBe(403);
  }
});

test('bad input: a message, nothing written, never a 500', async ({ staffPage }) => {
  test.setTimeout(240_000);
  const { page } = await staffPage(['marketer']);
  // Counted by key: the other test of this file writes content at the same time.
  const objects = (key: string) => prisma.contentObject.count({ where: { key } });
  const images = () => prisma.contentImage.count();
  const serverErrors: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    serverErrors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });

  await page.goto('/console/content/blocks/new?slot=you-might-like');
  const save = page.getByRole('button', { name: 'Save draft' });
  await waitForHydration(save);
  const refusedKey = uniqueKey('too-long');

  // A title over 120 characters: the field says so, nothing saved.
  await page.getByLabel('Key').fill(refusedKey);
  await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill('x'.repeat(121));
  await page.getByRole('group', { name: 'Title' }).getByLabel('French').fill('ok');
  await page.getByLabel('Show to everyone (generic block)').check();
  await save.click();
  await expect(page.getByText('The title is too long: 120 characters at most.').first()).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await objects(refusedKey)).toBe(0);

  // 51 conditions sent past the builder (which stops at 50): refused, nothing saved.
  await rewriteServerActions(
    page,
    (body) => body.includes('"expectedLatestRevisionId"'),
    (body) => {
      const args = JSON.parse(body) as Array<{ body: { generic: boolean; rule: unknown } }>;
      args[0]!.body.generic = false;
      args[0]!.body.rule = { $and: Array.from({ length: 51 }, () => ({ interests: { $in: ['running'] } })) };
      return JSON.stringify(args);
    },
  );
  await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill('Fifty-one conditions');
  await page.getByLabel('Show to everyone (generic block)').uncheck();
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page
    .getByRole('group', { name: 'Values of condition 1' })
    .getByRole('checkbox', { name: 'Running', exact: true })
    .check();
  await save.click();
  await expect(page.getByText('A rule may have at most 50 conditions', { exact: false }).first()).toBeVisible({
    timeout: SLOW,
  });
  expect(await objects(refusedKey)).toBe(0);
  await page.unrouteAll();

  // HTML is kept as typed and shown as text, never as markup.
  const html = '<img src=x onerror=alert(1)><b>Shoes</b>';
  await page.goto('/console/content/blocks/new?slot=you-might-like');
  await waitForHydration(save);
  await page.getByLabel('Key').fill(uniqueKey('html'));
  await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill(html);
  await page.getByRole('group', { name: 'Title' }).getByLabel('French').fill(html);
  await page.getByLabel('Show to everyone (generic block)').check();
  await save.click();
  await page.getByRole('link', { name: 'Publish it from its history.' }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByText(html).first()).toBeVisible();
  await expect(page.locator('b', { hasText: 'Shoes' })).toHaveCount(0);

  // A text file and a 3 MiB file as images: a message, no image stored; the route refuses them too.
  await page.goto('/console/content/blocks/new?slot=hero');
  await waitForHydration(page.getByRole('button', { name: 'Save draft' }));
  const imagesBefore = await images();
  const upload = page.getByLabel('Upload an image');
  await upload.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await expect(page.getByText('This file is not a JPEG, PNG or WebP image. Choose another file.')).toBeVisible();
  await upload.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(3 * 1024 * 1024, 1) });
  await expect(page.getByText(/This image is larger than/)).toBeVisible();
  const asText = await page.request.post('/console/content/images', {
    headers: { 'content-type': 'text/plain', origin: new URL(page.url()).origin },
    data: Buffer.from('not an image'),
  });
  expect(asText.status()).toBe(415);
  const tooBig = await page.request.post('/console/content/images', {
    headers: { 'content-type': 'image/png', origin: new URL(page.url()).origin },
    data: Buffer.alloc(3 * 1024 * 1024, 1),
  });
  expect(tooBig.status()).toBe(413);
  expect(await images()).toBe(imagesBefore);

  // Another slot's block id: the hero editor and the history of a segment are 404, nothing written.
  const hero = await saveRevision(TEST_ACTOR, {
    objectId: null,
    type: 'block',
    key: uniqueKey('hero'),
    slot: 'hero',
    body: {
      title: { en: 'Hero', fr: 'Hero' },
      text: { en: '', fr: '' },
      image: null,
      cta: null,
      startsAt: null,
      endsAt: null,
      priority: 0,
      generic: true,
      rule: {},
    },
    expectedLatestRevisionId: null,
  });
  if (!hero.ok) throw new Error(hero.error);
  const segment = await saveRevision(TEST_ACTOR, {
    objectId: null,
    type: 'segment',
    key: uniqueKey('runners'),
    slot: null,
    body: { name: 'Runners', rule: { interests: { $in: ['running'] } } },
    expectedLatestRevisionId: null,
  });
  if (!segment.ok) throw new Error(segment.error);
  const heroRevisions = () => prisma.contentRevision.count({ where: { objectId: hero.objectId } });
  const revisions = await heroRevisions();
  expect((await page.goto(`/console/content/blocks/${segment.objectId}/history`))?.status()).toBe(404);
  expect((await page.goto('/console/content/blocks/not-an-id/history'))?.status()).toBe(404);

  await page.goto('/console/content/blocks/new?slot=you-might-like');
  const save2 = page.getByRole('button', { name: 'Save draft' });
  await waitForHydration(save2);
  await rewriteServerActions(
    page,
    (body) => body.includes('"expectedLatestRevisionId"'),
    (body) => {
      const args = JSON.parse(body) as Array<{ objectId: string | null; expectedLatestRevisionId: string | null }>;
      args[0]!.objectId = hero.objectId;
      args[0]!.expectedLatestRevisionId = hero.revisionId;
      return JSON.stringify(args);
    },
  );
  const forgedKey = uniqueKey('forged');
  await page.getByLabel('Key').fill(forgedKey);
  await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill('Forged');
  await page.getByRole('group', { name: 'Title' }).getByLabel('French').fill('Forgé');
  await page.getByLabel('Show to everyone (generic block)').check();
  await save2.click();
  await expect(page.getByText(/does not exist or is not a block of this slot/).first()).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await heroRevisions()).toBe(revisions);
  expect(await objects(forgedKey)).toBe(0);

  // A preview without a reason or for nobody: a message; the holdout out of range: a message.
  await page.unrouteAll();
  await page.goto('/console/content/preview');
  const preview = page.getByRole('button', { name: 'Preview', exact: true });
  await waitForHydration(preview);
  await page.getByLabel("Customer's email address").fill('nobody-at-all@example.test');
  await preview.click();
  await expect(page.getByText('Enter a reason.')).toBeVisible();
  await page.getByLabel('Reason').fill('Checking');
  await preview.click();
  await expect(page.getByText('No customer with that email address.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });

  await page.goto('/console/content/settings');
  const saveSettings = page.getByRole('button', { name: 'Save and publish' });
  await waitForHydration(saveSettings);
  await page.getByLabel('Holdout percentage').fill('51');
  await saveSettings.click();
  await expect(page.getByText('Enter a whole number from 0 to 50.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });

  expect(serverErrors).toEqual([]);
});
