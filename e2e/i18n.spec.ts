/**
 * Language: negotiated from Accept-Language, chosen with the switcher, kept in a
 * cookie, and saved on the signed-in customer so their mail follows it.
 */
import { readFileSync } from 'node:fs';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { extractCode, waitForMail } from './mailbox';

type Catalogue = { signIn: { title: string; emailLabel: string }; mail: { signIn: { subject: string } } };
const catalogue = (locale: 'en' | 'fr') =>
  JSON.parse(readFileSync(new URL(`../messages/${locale}.json`, import.meta.url), 'utf8')) as Catalogue;
const en = catalogue('en');
const fr = catalogue('fr');

test.describe('a browser that prefers French', () => {
  test.use({ locale: 'fr-FR' });

  test('gets the French UI without choosing anything', async ({ page }) => {
    await page.goto('/signin');
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByRole('heading', { level: 1, name: fr.signIn.title })).toBeVisible();
    await expect(page.getByLabel(fr.signIn.emailLabel, { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Continuer' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Français' })).toHaveAttribute('aria-current', 'true');

    // Messages shown by client components are French too.
    await waitForHydration(page.getByRole('button', { name: 'Continuer' }));
    await page.getByRole('button', { name: 'Continuer' }).click();
    await expect(page.getByLabel(fr.signIn.emailLabel, { exact: true })).toHaveAccessibleDescription(
      'Saisissez votre adresse e-mail.',
    );
  });
});

for (const acceptLanguage of ['fr-CA', 'fr-BE', 'de-DE,fr;q=0.8,en;q=0.5']) {
  test(`Accept-Language ${acceptLanguage} gets French`, async ({ newDevice }) => {
    // Without a locale: Chromium's locale option would replace the header.
    const page = await newDevice({ locale: undefined, extraHTTPHeaders: { 'accept-language': acceptLanguage } });
    await page.goto('/signin');
    await expect(page.getByRole('heading', { level: 1, name: fr.signIn.title })).toBeVisible();
  });
}

test('a language we do not have falls back to English', async ({ newDevice }) => {
  const page = await newDevice({ locale: 'de-DE' });
  await page.goto('/signin');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: en.signIn.title })).toBeVisible();
});

test('the language switcher changes the language, and the choice survives a reload', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.getByRole('heading', { level: 1, name: en.signIn.title })).toBeVisible();
  const switcher = page.getByRole('form', { name: 'Language' });

  await switcher.getByRole('button', { name: 'Français' }).click();
  await expect(page.getByRole('heading', { level: 1, name: fr.signIn.title })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: fr.signIn.title })).toBeVisible();
  await expect(page.getByLabel(fr.signIn.emailLabel, { exact: true })).toBeVisible();

  await page.getByRole('form', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: en.signIn.title })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: en.signIn.title })).toBeVisible();
});

test("a signed-in customer's choice is saved on the customer and their next mail is French", async ({
  signedInPage: page,
  customer,
  newDevice,
}) => {
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible();

  await page.getByRole('form', { name: 'Language' }).getByRole('button', { name: 'Français' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Bonjour Camille' })).toBeVisible();
  await expect
    .poll(
      async () =>
        (await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { locale: true } })).locale,
    )
    .toBe('fr');

  // Another device, English by its browser and without the cookie: the mail still
  // follows the customer's saved choice, and so does the UI once signed in.
  const device = await newDevice({ locale: 'en-US' });
  await device.goto('/signin');
  await expect(device.getByRole('heading', { level: 1, name: en.signIn.title })).toBeVisible();
  await waitForHydration(device.getByLabel(en.signIn.emailLabel, { exact: true }));
  const before = new Date();
  await device.getByLabel(en.signIn.emailLabel, { exact: true }).fill(customer.email);
  await device.getByRole('button', { name: 'Continue' }).click();
  await expect(device).toHaveURL(/\/signin\/code$/);

  // Waits for the French subject: an English sign-in mail would time out, naming what came.
  const mail = await waitForMail(customer.email, { after: before, subjectIncludes: fr.mail.signIn.subject });
  expect(mail.contentLanguage).toBe('fr');

  await waitForHydration(device.getByLabel('Code', { exact: true }));
  await device.getByLabel('Code', { exact: true }).fill(extractCode(mail));
  await device.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(device.getByRole('heading', { level: 1, name: 'Bonjour Camille' })).toBeVisible();
});
