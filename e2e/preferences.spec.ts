/**
 * The preference center (/account/preferences, docs/decisions/035-personalization.md §1, build
 * step 12): values edited and kept with their provenance (this site or the app that wrote them),
 * their history, a stale save refused with a message, the activity used for personalization
 * deleted one by one or all at once after a confirmation, the note shown without the grant,
 * keyboard use, axe.
 */
import type { Page } from '@playwright/test';

import { writePreferences } from '../server/personalization/preferences';
import { recordSignal } from '../server/personalization/signals';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { expectAlert, seriousViolations } from './helpers';
import {
  answerPersonalization,
  ensurePersonalizationReferenceData,
  personalizationApps,
} from './personalization-helpers';

test.describe.configure({ timeout: 90_000 });

test.beforeAll(ensurePersonalizationReferenceData);
const apps = personalizationApps();
test.afterEach(() => apps.cleanUp());

const NO_PREFERENCES = { interests: [], favouriteStore: null, sizes: { clothing: null, shoes: null }, channels: [] };

async function openPreferences(page: Page) {
  await page.goto('/account/preferences');
  await expect(page.getByRole('heading', { level: 1, name: 'Preferences' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Your preferences' });
  await waitForHydration(form.getByRole('button', { name: 'Save preferences' }));
  return form;
}

test('values are edited and kept, each with where it came from, and listed in the history', async ({
  signedInPage: page,
  customer,
}) => {
  const app = await apps.register();
  // As the app's PUT would write it: the one write path, with the app's name as the channel.
  expect(
    await writePreferences(
      customer.id,
      { ...NO_PREFERENCES, interests: ['running'] },
      { channel: app.name, appId: app.id, expectedVersion: null },
    ),
  ).toMatchObject({ ok: true });

  const form = await openPreferences(page);
  // The nav names the page.
  await expect(
    page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Preferences' }),
  ).toBeVisible();
  const running = form.getByRole('checkbox', { name: 'Running', exact: true });
  await expect(running).toBeChecked();
  await expect(running).toHaveAccessibleDescription(new RegExp(`^Set by ${app.name} on `));

  await form.getByRole('checkbox', { name: 'Hiking' }).check();
  await form.getByLabel('Favourite store').selectOption({ label: 'Lyon Part-Dieu (Lyon)' });
  await form.getByLabel('Clothing size').selectOption('M');
  await form.getByLabel('Shoe size (EU)').selectOption('42');
  await form.getByRole('checkbox', { name: 'Email' }).check();
  await form.getByRole('button', { name: 'Save preferences' }).click();
  await expect(form.getByText('Saved. Every app of the brand sees your preferences now.')).toBeVisible();

  await page.reload();
  await waitForHydration(form.getByRole('button', { name: 'Save preferences' }));
  // Sent again by this site, Running keeps the app as its source.
  await expect(running).toHaveAccessibleDescription(new RegExp(`^Set by ${app.name} on `));
  await expect(form.getByRole('checkbox', { name: 'Hiking' })).toBeChecked();
  await expect(form.getByRole('checkbox', { name: 'Hiking' })).toHaveAccessibleDescription(/^Set by this site on /);
  await expect(form.getByLabel('Favourite store')).toHaveValue('lyon-part-dieu');
  await expect(form.getByLabel('Favourite store')).toHaveAccessibleDescription(/Set by this site on /);
  await expect(form.getByLabel('Clothing size')).toHaveValue('M');
  await expect(form.getByLabel('Shoe size (EU)')).toHaveValue('42');
  await expect(form.getByRole('checkbox', { name: 'Email' })).toBeChecked();
  await expect(form.getByRole('checkbox', { name: 'Text message' })).not.toBeChecked();

  const history = page.locator('details');
  await history.getByText(/^History of changes \(\d+\)$/).click();
  await expect(history.getByText('Interests: Running added')).toBeVisible();
  await expect(history.getByText('Interests: Hiking added')).toBeVisible();
  await expect(history.getByText('Favourite store: Lyon Part-Dieu (Lyon) added')).toBeVisible();

  expect(
    await prisma.customerPreference.findMany({
      where: { customerId: customer.id },
      orderBy: [{ name: 'asc' }, { value: 'asc' }],
      select: { name: true, value: true, channel: true },
    }),
  ).toEqual([
    { name: 'channel', value: 'email', channel: 'portal' },
    { name: 'favouriteStore', value: 'lyon-part-dieu', channel: 'portal' },
    { name: 'interest', value: 'hiking', channel: 'portal' },
    { name: 'interest', value: 'running', channel: app.name },
    { name: 'size.clothing', value: 'M', channel: 'portal' },
    { name: 'size.shoes', value: '42', channel: 'portal' },
  ]);
  expect(
    await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'customer.preferences_updated' } }),
  ).toBe(2);

  // Removing a value is a change too.
  await form.getByRole('checkbox', { name: 'Running', exact: true }).uncheck();
  await form.getByRole('button', { name: 'Save preferences' }).click();
  await expect(form.getByText('Saved. Every app of the brand sees your preferences now.')).toBeVisible();
  expect(await prisma.customerPreference.count({ where: { customerId: customer.id, name: 'interest' } })).toBe(1);
});

test('a save over a change made elsewhere is refused with a message, and the saved values can be loaded', async ({
  signedInPage: page,
  customer,
}) => {
  const app = await apps.register();
  const form = await openPreferences(page);
  // The app writes while the page is open.
  expect(
    await writePreferences(
      customer.id,
      { ...NO_PREFERENCES, interests: ['cycling'] },
      { channel: app.name, appId: app.id, expectedVersion: null },
    ),
  ).toMatchObject({ ok: true });

  await form.getByRole('checkbox', { name: 'Yoga' }).check();
  await form.getByRole('button', { name: 'Save preferences' }).click();
  await expectAlert(
    page,
    'Your preferences changed elsewhere (another app or tab) since this page was loaded. Nothing was saved: load the saved preferences, then make your change again. Load the saved preferences',
  );
  expect(
    await prisma.customerPreference.findMany({ where: { customerId: customer.id }, select: { value: true } }),
  ).toEqual([{ value: 'cycling' }]);

  await form.getByRole('button', { name: 'Load the saved preferences' }).click();
  await expect(form.getByRole('checkbox', { name: 'Cycling' })).toBeChecked();
  await expect(form.getByRole('checkbox', { name: 'Yoga' })).not.toBeChecked();
  // Against the version now loaded, the same change goes through.
  await form.getByRole('checkbox', { name: 'Yoga' }).check();
  await form.getByRole('button', { name: 'Save preferences' }).click();
  await expect(form.getByText('Saved. Every app of the brand sees your preferences now.')).toBeVisible();
  expect(
    (
      await prisma.customerPreference.findMany({
        where: { customerId: customer.id },
        select: { value: true },
        orderBy: { value: 'asc' },
      })
    ).map((p) => p.value),
  ).toEqual(['cycling', 'yoga']);
});

test('the activity used for personalization is listed and deleted, one entry or all, after a confirmation', async ({
  signedInPage: page,
  customer,
}) => {
  await answerPersonalization(customer.id, true);
  const app = await apps.register();
  const now = Date.now();
  for (const [kind, category, minutesAgo] of [
    ['viewed', 'hiking', 30],
    ['cart-added', 'running', 20],
    ['purchased', 'yoga', 10],
  ] as const) {
    const result = await recordSignal(
      customer.id,
      {
        kind,
        category,
        item: kind === 'cart-added' ? '<b>SKU-42</b>' : null,
        occurredAt: new Date(now - minutesAgo * 60_000),
      },
      { app: { id: app.id, name: app.name } },
    );
    expect(result).toMatchObject({ ok: true });
  }

  await page.goto('/account/preferences');
  await expect(page.getByRole('note')).toHaveCount(0);
  const activity = page.getByRole('region', { name: 'Activity used for personalization' });
  const deleteAll = activity.getByRole('button', { name: 'Delete all activity' });
  await waitForHydration(deleteAll);
  await expect(activity.getByRole('listitem')).toHaveCount(3);
  const cart = activity.getByRole('listitem').filter({ hasText: 'Added to cart: Running' });
  // The app's item reference is shown as typed, never as markup.
  await expect(cart.getByText('Item <b>SKU-42</b>')).toBeVisible();
  await expect(cart.getByText(new RegExp(`^Set by ${app.name} on .* · used until `))).toBeVisible();

  // Dismissed: nothing goes.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await cart.getByRole('button', { name: /^Delete: Added to cart: Running, / }).click();
  await expect(activity.getByRole('listitem')).toHaveCount(3);
  expect(await prisma.customerSignal.count({ where: { customerId: customer.id } })).toBe(3);

  let question = '';
  page.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await cart.getByRole('button', { name: /^Delete: Added to cart: Running, / }).click();
  await expect(activity.getByText('Deleted. It is no longer used.')).toBeVisible();
  expect(question).toBe('Delete this activity (Added to cart: Running)? This cannot be undone.');
  await expect(activity.getByRole('listitem')).toHaveCount(2);
  expect(
    await prisma.customerSignal.findMany({
      where: { customerId: customer.id },
      select: { category: true },
      orderBy: { category: 'asc' },
    }),
  ).toEqual([{ category: 'hiking' }, { category: 'yoga' }]);

  page.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await deleteAll.click();
  expect.soft(question).toBe('Delete all your activity (2 entries)? This cannot be undone.');
  await expect(activity.getByText('No activity recorded.')).toBeVisible();
  expect(await prisma.customerSignal.count({ where: { customerId: customer.id } })).toBe(0);
  expect(await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'customer.signals_deleted' } })).toBe(
    2,
  );
});

test('without the personalization grant, a note says the values are not used and links to the consents', async ({
  signedInPage: page,
}) => {
  await openPreferences(page);
  const note = page.getByRole('note');
  await expect(note).toContainText(
    'Personalization is off: these preferences and your activity are not used to choose what you see until you turn it on.',
  );
  await note.getByRole('link', { name: 'Turn on personalization in your privacy settings' }).click();
  await expect(page).toHaveURL(/\/account\/privacy#consents$/);
  await expect(page.getByRole('region', { name: 'Activity used for personalization' })).toHaveCount(0);
});

test.describe('in French', () => {
  test.use({ locale: 'fr-FR' });

  test('empty states, keyboard only, and no serious accessibility violation', async ({
    page,
    createCustomer,
    signInAs,
  }) => {
    const customer = await createCustomer({ locale: 'fr' });
    await signInAs(page.context(), customer.id);
    await page.goto('/account/preferences');
    await expect(page.getByRole('heading', { level: 1, name: 'Préférences' })).toBeVisible();
    await expect(page.getByText('Aucune activité enregistrée.')).toBeVisible();
    const save = page.getByRole('button', { name: 'Enregistrer les préférences' });
    await waitForHydration(save);
    expect(await seriousViolations(page)).toEqual([]);

    // Keyboard: to the first interest, tick it, on to the button, save.
    const first = page.getByRole('checkbox', { name: 'Course à pied' });
    await first.focus();
    await page.keyboard.press('Space');
    await expect(first).toBeChecked();
    await save.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Enregistré.', { exact: false })).toBeVisible();
    expect(
      await prisma.customerPreference.findMany({ where: { customerId: customer.id }, select: { value: true } }),
    ).toEqual([{ value: 'running' }]);

    // The history, opened from the keyboard.
    await page.getByText(/^Historique des modifications/).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByText("Centres d'intérêt : Course à pied ajouté")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test('the personalization consent names the activity it uses and links to the privacy notice that details it', async ({
  signedInPage: page,
}) => {
  await page.goto('/account/privacy');
  const consent = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: 'Personalization', exact: true }) });
  await expect(consent.getByText(/your activity on our sites and apps .*kept up to 90 days/)).toBeVisible();

  await page.goto('/legal/privacy#personalization');
  const section = page.getByRole('region', { name: 'Personalization' });
  await expect(section).toContainText('categories you viewed, items added to or removed from your cart, and purchases');
  // The notice states the configured retention (SIGNAL_RETENTION_DAYS, 90 by default).
  await expect(section).toContainText('Each activity entry is kept 90 days, then deleted.');
  expect(await seriousViolations(page)).toEqual([]);
});
