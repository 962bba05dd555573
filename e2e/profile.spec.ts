/**
 * The profile: every field edited and kept, its history, no lost update
 * between two tabs, email change verified by code or link and reverted from the old
 * address, bad input refused with field errors and nothing written, accessibility.
 */
import type { Locator, Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';
import { extractCode, waitForMail, type Mail } from './mailbox';

// Each test makes a dozen round trips through server actions: three times the
// default budget, for a 2-core machine busy with the other worker.
test.describe.configure({ timeout: 90_000 });

async function openProfile(page: Page): Promise<Locator> {
  await page.goto('/account/profile');
  await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
  const details = page.getByRole('form', { name: 'Personal details' });
  await waitForHydration(details.getByRole('button', { name: 'Save' }));
  return details;
}

function addressCard(page: Page, kind: 'Home address' | 'Billing address' | 'Shipping address'): Locator {
  return page.getByRole('region', { name: kind });
}

async function fillAddress(
  card: Locator,
  a: { country: string; line1: string; line2?: string; postalCode: string; city: string },
) {
  await card.getByLabel('Country').selectOption({ label: a.country });
  await card.getByLabel('Street and number').fill(a.line1);
  await card.getByLabel('Apartment, building, floor').fill(a.line2 ?? '');
  await card.getByLabel('Postcode').fill(a.postalCode);
  await card.getByLabel('Town or city').fill(a.city);
}

function linkIn(mail: Mail, path: string): string {
  const url = /https?:\/\/[^\s<>"']+/g;
  for (const match of mail.text.matchAll(url)) if (match[0].includes(path)) return match[0];
  throw new Error(`No ${path} link in ${JSON.stringify(mail.subject)}`);
}

const profileOf = (id: string) =>
  prisma.user.findUniqueOrThrow({
    where: { id },
    select: {
      email: true,
      firstName: true,
      lastName: true,
      locale: true,
      version: true,
      phone: { select: { e164: true } },
      addresses: {
        orderBy: { kind: 'asc' },
        select: { kind: true, country: true, line1: true, line2: true, postalCode: true, city: true },
      },
    },
  });

test.describe('profile', () => {
  test('every field is edited, kept after a reload, and listed in the history', async ({
    signedInPage: page,
    customer,
  }) => {
    const details = await openProfile(page);
    await details.getByLabel('First name').fill('Zoé');
    await details.getByLabel('Last name').fill("D'Arcy-Lefèvre");
    await details.getByLabel('Phone country').selectOption({ label: 'France' });
    await details.getByLabel('Phone', { exact: true }).fill('06 12 34 56 78');
    await details.getByRole('button', { name: 'Save' }).click();
    await expect(details.getByText('Saved. Your other apps see the change now.')).toBeVisible();

    const home = addressCard(page, 'Home address');
    await home.getByRole('button', { name: 'Add: Home address' }).click();
    await fillAddress(home, {
      country: 'France',
      line1: '12 rue des Lilas',
      line2: 'Bâtiment B',
      postalCode: '75 011',
      city: 'Paris',
    });
    await home.getByRole('button', { name: 'Save' }).click();
    await expect(home.getByText('Saved.', { exact: false })).toBeVisible();

    const billing = addressCard(page, 'Billing address');
    await billing.getByRole('button', { name: 'Add: Billing address' }).click();
    await billing.getByLabel('Country').selectOption({ label: 'United Kingdom' });
    // A British address: town before postcode, as the Royal Mail writes it.
    await expect(billing.getByRole('textbox').nth(2)).toHaveAccessibleName('Town or city');
    await fillAddress(billing, {
      country: 'United Kingdom',
      line1: '221B Baker Street',
      postalCode: 'nw16xe',
      city: 'London',
    });
    await billing.getByRole('button', { name: 'Save' }).click();
    await expect(billing.getByText('Saved.', { exact: false })).toBeVisible();

    const shipping = addressCard(page, 'Shipping address');
    await shipping.getByRole('button', { name: 'Add: Shipping address' }).click();
    await fillAddress(shipping, {
      country: 'Netherlands',
      line1: 'Prinsengracht 263',
      postalCode: '1016gv',
      city: 'Amsterdam',
    });
    await shipping.getByRole('button', { name: 'Save' }).click();
    await expect(shipping.getByText('Saved.', { exact: false })).toBeVisible();

    await page.reload();
    const reloaded = page.getByRole('form', { name: 'Personal details' });
    await expect(reloaded.getByLabel('First name')).toHaveValue('Zoé');
    await expect(reloaded.getByLabel('Last name')).toHaveValue("D'Arcy-Lefèvre");
    await expect(reloaded.getByLabel('Phone', { exact: true })).toHaveValue('+33 6 12 34 56 78');
    await expect(reloaded.getByLabel('First name')).toHaveAccessibleDescription(
      /Changed .* via this site · not verified/,
    );
    await expect(addressCard(page, 'Home address')).toContainText('12 rue des Lilas');
    await expect(addressCard(page, 'Home address')).toContainText('75011 Paris');
    await expect(addressCard(page, 'Billing address')).toContainText('London NW1 6XE');
    await expect(addressCard(page, 'Shipping address')).toContainText('1016 GV Amsterdam');

    const history = page.getByRole('region', { name: 'Change history' });
    await expect(history.getByText('First name: Camille → Zoé')).toBeVisible();
    await expect(history.getByText('Phone: not set → +33 6 12 34 56 78')).toBeVisible();
    await expect(
      history.getByText(/Home address: not set → 12 rue des Lilas, Bâtiment B, 75011 Paris, France/),
    ).toBeVisible();

    // The language last: the page then speaks French.
    await waitForHydration(reloaded.getByRole('button', { name: 'Save' }));
    await reloaded.getByLabel('Preferred language').selectOption({ label: 'Français' });
    await reloaded.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Profil', exact: true })).toBeVisible();
    await page.reload();
    await expect(
      page.getByRole('region', { name: 'Historique des modifications' }).getByText('Langue : English → Français'),
    ).toBeVisible();

    expect(await profileOf(customer.id)).toMatchObject({
      firstName: 'Zoé',
      lastName: "D'Arcy-Lefèvre",
      locale: 'fr',
      phone: { e164: '+33612345678' },
      addresses: [
        {
          kind: 'billing',
          country: 'GB',
          line1: '221B Baker Street',
          line2: null,
          postalCode: 'NW1 6XE',
          city: 'London',
        },
        {
          kind: 'home',
          country: 'FR',
          line1: '12 rue des Lilas',
          line2: 'Bâtiment B',
          postalCode: '75011',
          city: 'Paris',
        },
        { kind: 'shipping', country: 'NL', postalCode: '1016 GV' },
      ],
    });
    const events = await prisma.outboxEvent.findMany({
      where: { customerId: customer.id },
      orderBy: { id: 'asc' },
      select: { type: true, payload: true },
    });
    expect(events.map((e) => (e.payload as { fields: string[] }).fields)).toEqual([
      ['firstName', 'lastName', 'phone'],
      ['address.home'],
      ['address.billing'],
      ['address.shipping'],
      ['locale'],
    ]);
  });

  test('two tabs edit the same field: the second is told, with both values, and chooses', async ({
    signedInPage: first,
    customer,
  }) => {
    const second = await first.context().newPage();
    const tabA = await openProfile(first);
    const tabB = await openProfile(second);

    await tabA.getByLabel('First name').fill('Anaïs');
    await tabA.getByRole('button', { name: 'Save' }).click();
    await expect(tabA.getByText('Saved.', { exact: false })).toBeVisible();

    await tabB.getByLabel('First name').fill('Béatrice');
    await tabB.getByRole('button', { name: 'Save' }).click();
    const conflict = tabB.getByRole('alert').filter({ hasText: 'This changed elsewhere while you were editing' });
    await expect(conflict).toBeVisible();
    await expect(conflict.getByRole('row', { name: /First name/ })).toContainText('Béatrice');
    await expect(conflict.getByRole('row', { name: /First name/ })).toContainText('Anaïs');
    // Nothing was overwritten.
    expect((await profileOf(customer.id)).firstName).toBe('Anaïs');

    await conflict.getByRole('button', { name: 'Keep my version' }).click();
    await expect(tabB.getByText('Saved.', { exact: false })).toBeVisible();
    await expect.poll(async () => (await profileOf(customer.id)).firstName).toBe('Béatrice');

    // A change to another field elsewhere is no conflict: nothing of it is lost.
    await tabA.getByLabel('Last name').fill('Martin');
    await tabA.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await profileOf(customer.id)).lastName).toBe('Martin');
    expect((await profileOf(customer.id)).firstName).toBe('Béatrice');
    await expect(tabA.getByText('Saved.', { exact: false })).toBeVisible();
    await second.close();
  });

  test('bad input gets a field error and writes nothing; HTML in an address is kept as inert text', async ({
    signedInPage: page,
    customer,
  }) => {
    const before = await profileOf(customer.id);
    const details = await openProfile(page);
    const cases: Array<[string, string, string]> = [
      [
        'Phone',
        '06 12',
        'Enter a phone number that exists, like 06 12 34 56 78, or with its country code, like +33 6 12 34 56 78.',
      ],
      // Plausible for the browser, no such number for the server.
      [
        'Phone',
        '06 12 34 56',
        'Enter a phone number that exists, like 06 12 34 56 78, or with its country code, like +33 6 12 34 56 78.',
      ],
      [
        'Phone',
        '<script>alert(1)</script>',
        'Enter a phone number that exists, like 06 12 34 56 78, or with its country code, like +33 6 12 34 56 78.',
      ],
      ['Last name', '<img src=x onerror=alert(1)>', 'Use letters, spaces, hyphens or apostrophes only.'],
      ['Last name', 'L'.repeat(101), 'A last name can be at most 100 characters long.'],
      ['First name', '', 'Enter your first name.'],
    ];
    for (const [label, value, error] of cases) {
      const field = details.getByLabel(label, { exact: true });
      await field.fill(value);
      await details.getByRole('button', { name: 'Save' }).click();
      await expect(field).toHaveAccessibleDescription(new RegExp(error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      await field.fill(label === 'First name' ? 'Camille' : '');
    }

    const home = addressCard(page, 'Home address');
    await home.getByRole('button', { name: 'Add: Home address' }).click();
    await fillAddress(home, { country: 'France', line1: '1 rue de la Paix', postalCode: 'SW1A 1AA', city: 'Paris' });
    await home.getByRole('button', { name: 'Save' }).click();
    await expect(home.getByLabel('Postcode')).toHaveAccessibleDescription(
      /This postcode doesn't match the country you chose/,
    );
    await home.getByLabel('Town or city').fill('P'.repeat(101));
    await home.getByLabel('Postcode').fill('75002');
    await home.getByRole('button', { name: 'Save' }).click();
    await expect(home.getByLabel('Town or city')).toHaveAccessibleDescription(
      'A town name can be at most 100 characters long.',
    );
    expect(await profileOf(customer.id)).toEqual(before);
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id } })).toBe(0);

    // Script in a free-text line: stored as typed, shown as text, never run.
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    const script = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    await home.getByLabel('Town or city').fill('Paris');
    await home.getByLabel('Street and number').fill(script);
    await home.getByRole('button', { name: 'Save' }).click();
    await expect(home.getByText('Saved.', { exact: false })).toBeVisible();
    await page.reload();
    await expect(addressCard(page, 'Home address').getByText(script)).toBeVisible();
    expect(dialogs).toBe(0);
    expect((await profileOf(customer.id)).addresses[0]!.line1).toBe(script);
  });

  test('a client skipping the browser checks, or naming another customer, changes no one else', async ({
    signedInPage: page,
    customer,
    createCustomer,
  }) => {
    const other = await createCustomer({ firstName: 'Other' });
    const otherBefore = await profileOf(other.id);
    const details = await openProfile(page);
    // Rewrite the action's payload: a bad phone the form would have refused, and another customer's id.
    await page.route('**', async (route) => {
      const request = route.request();
      if (request.method() !== 'POST' || !request.headers()['next-action']) return route.fallback();
      const body = (request.postData() ?? '')
        .replace('"lastName":"Evil"', `"lastName":"Evil","customerId":"${other.id}"`)
        .replace('"phone":""', '"phone":"12"');
      await route.continue({ postData: body });
    });
    await details.getByLabel('Last name').fill('Evil');
    await details.getByRole('button', { name: 'Save' }).click();
    await expect(details.getByLabel('Phone', { exact: true })).toHaveAccessibleDescription(
      /Enter a phone number that exists/,
    );
    expect(await profileOf(other.id)).toEqual(otherBefore);
    expect((await profileOf(customer.id)).lastName).toBeNull();
  });
});

test.describe('email change', () => {
  test('verified with the code; the old address gets a notice whose link reverts the change and signs out everywhere', async ({
    signedInPage: page,
    customer,
    uniqueEmail,
    newDevice,
  }) => {
    const newEmail = uniqueEmail('new-address');
    await openProfile(page);
    const email = page.getByRole('region', { name: 'Email' });
    await email.getByRole('button', { name: 'Change email' }).click();
    await email.getByLabel('New email address').fill(newEmail.toUpperCase());
    const sent = new Date();
    await email.getByRole('button', { name: 'Send the confirmation' }).click();
    await expect(email.getByText(`We sent a link and a code to ${newEmail}`)).toBeVisible();
    // Until the new address is proven, the old one is the sign-in.
    expect((await profileOf(customer.id)).email).toBe(customer.email);

    const verification = await waitForMail(newEmail, {
      after: sent,
      subjectIncludes: 'Confirm your new email address',
    });
    await email.getByLabel('Code from the email').fill(extractCode(verification));
    await email.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(email.getByText(`Done: you now sign in with ${newEmail}`)).toBeVisible();
    await page.reload();
    await expect(page.getByText(`You sign in with ${newEmail}.`)).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Change history' }).getByText(`Email: ${customer.email} → ${newEmail}`),
    ).toBeVisible();
    expect((await profileOf(customer.id)).email).toBe(newEmail);

    const notice = await waitForMail(customer.email, {
      after: sent,
      subjectIncludes: "Your account's email address was changed",
    });
    expect(notice.text).toContain(newEmail);
    const revert = await newDevice();
    await revert.goto(linkIn(notice, '/email-change/revert'));
    await expect(revert.getByRole('heading', { level: 1, name: 'Undo the email change?' })).toBeVisible();
    await revert.getByRole('button', { name: 'Undo the change' }).click();
    await expect(revert.getByRole('heading', { level: 1, name: 'Your email address is restored' })).toBeVisible();

    expect((await profileOf(customer.id)).email).toBe(customer.email);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
    await page.goto('/account/profile');
    await expect(page).toHaveURL(/\/signin/);
    const events = await prisma.outboxEvent.findMany({ where: { customerId: customer.id }, select: { type: true } });
    expect(events.map((e) => e.type)).toEqual(['customer.email_changed', 'customer.email_changed']);
  });

  test('verified with the link on another device, after confirming it is you (step-up)', async ({
    signedInPage: page,
    customer,
    uniqueEmail,
    newDevice,
  }) => {
    // A sign-in older than the step-up window.
    await prisma.session.updateMany({
      where: { userId: customer.id },
      data: { authenticatedAt: new Date(Date.now() - 11 * 60 * 1000) },
    });
    const newEmail = uniqueEmail('linked-address');
    await openProfile(page);
    const email = page.getByRole('region', { name: 'Email' });
    await email.getByRole('button', { name: 'Change email' }).click();
    await email.getByLabel('New email address').fill(newEmail);
    await email.getByRole('button', { name: 'Send the confirmation' }).click();

    await expect(page.getByRole('heading', { name: "Confirm it's you" })).toBeVisible();
    const asked = new Date();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const stepUpMail = await waitForMail(customer.email, {
      after: asked,
      subjectIncludes: 'Your sign-in link and code',
    });
    await page.getByLabel('Code', { exact: true }).fill(extractCode(stepUpMail));
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(email.getByText(`We sent a link and a code to ${newEmail}`)).toBeVisible();

    const verification = await waitForMail(newEmail, {
      after: asked,
      subjectIncludes: 'Confirm your new email address',
    });
    const phone = await newDevice();
    await phone.goto(linkIn(verification, '/email-change/confirm'));
    await expect(phone.getByRole('heading', { level: 1, name: 'Confirm your new email address' })).toBeVisible();
    // Opening the link changed nothing: mail scanners open links too.
    expect((await profileOf(customer.id)).email).toBe(customer.email);
    await phone.getByRole('button', { name: 'Confirm' }).click();
    await expect(phone.getByRole('heading', { level: 1, name: 'Your email address is changed' })).toBeVisible();
    expect((await profileOf(customer.id)).email).toBe(newEmail);
  });
});

test.describe('accessibility', () => {
  test('axe finds no serious or critical violation on /account/profile, also with forms open and errors shown', async ({
    signedInPage: page,
  }) => {
    const details = await openProfile(page);
    expect(await seriousViolations(page)).toEqual([]);
    await details.getByLabel('Phone', { exact: true }).fill('12');
    await details.getByRole('button', { name: 'Save' }).click();
    await expect(details.getByLabel('Phone', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    // The editors load their code when opened, then take the focus on their first field.
    const home = addressCard(page, 'Home address');
    await home.getByRole('button', { name: 'Add: Home address' }).click();
    await expect(home.getByLabel('Country')).toBeFocused();
    const email = page.getByRole('region', { name: 'Email' });
    await email.getByRole('button', { name: 'Change email' }).click();
    await expect(email.getByLabel('New email address')).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
