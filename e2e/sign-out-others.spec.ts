/**
 * After an email change or a passkey deletion, which a customer often makes
 * because someone else got in, the page offers to sign out every other session
 * (issue 11, item 7). The offer takes the focus and works from the keyboard;
 * this session stays signed in, the others fail on their next request.
 */
import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration, type SignInAs, type TestCustomer } from './fixtures';
import { addPasskey, extractLink, passkeyItem, requestEmailChange, ROUND_TRIPS_TIMEOUT } from './helpers';
import { extractCode } from './mailbox';
import { addVirtualAuthenticator } from './webauthn';

test.describe.configure({ timeout: 60_000 });

const PASSKEY = 'Chrome · Windows 10';

/** A second device signed in as the customer; returns its page and this page's session id. */
async function anotherDevice(
  page: Page,
  customer: TestCustomer,
  signInAs: SignInAs,
  newDevice: () => Promise<Page>,
): Promise<{ other: Page; ownSessionId: string }> {
  const own = await signInAs(page.context(), customer.id);
  const other = await newDevice();
  await signInAs(other.context(), customer.id);
  return { other, ownSessionId: own.sessionId };
}

async function sessionIdsOf(customer: TestCustomer): Promise<string[]> {
  const rows = await prisma.session.findMany({ where: { userId: customer.id }, select: { id: true } });
  return rows.map((r) => r.id);
}

async function expectSignedOut(device: Page): Promise<void> {
  await device.goto('/account');
  await expect(device).toHaveURL(/\/signin/, { timeout: ROUND_TRIPS_TIMEOUT });
}

test('after deleting a passkey: the offer takes the focus, and Tab then Enter sign out the other devices only', async ({
  page,
  customer,
  signInAs,
  newDevice,
}) => {
  const { other, ownSessionId } = await anotherDevice(page, customer, signInAs, newDevice);
  await addVirtualAuthenticator(page);
  await addPasskey(page);

  const remove = passkeyItem(page, PASSKEY).getByRole('button', { name: `Delete passkey ${PASSKEY}` });
  await waitForHydration(remove);
  page.once('dialog', (dialog) => void dialog.accept());
  await remove.click();
  await expect(page.getByText('You have no passkey yet.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });

  const offer = page.getByRole('region', { name: 'Sign out your other devices?' });
  await expect(offer).toContainText('The passkey is deleted.');
  await expect(offer.getByRole('heading', { name: 'Sign out your other devices?' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(offer.getByRole('button', { name: 'Sign out other devices' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Every other device is signed out. This one stays signed in.')).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });

  expect(await sessionIdsOf(customer)).toEqual([ownSessionId]);
  await expectSignedOut(other);
  await page.goto('/account/security');
  await expect(page).toHaveURL(/\/account\/security$/);
});

test('after an email change verified by code: the offer signs out the other devices; "Not now" leaves them', async ({
  page,
  customer,
  signInAs,
  newDevice,
  uniqueEmail,
}) => {
  const { other, ownSessionId } = await anotherDevice(page, customer, signInAs, newDevice);

  const change = async (newEmail: string) => {
    const { email, mail } = await requestEmailChange(page, newEmail);
    await expect(email.getByText(`We sent a link and a code to ${newEmail}`)).toBeVisible();
    await email.getByLabel('Code from the email').fill(extractCode(mail));
    await email.getByRole('button', { name: 'Confirm', exact: true }).click();
    await expect(email.getByText(`Done: you now sign in with ${newEmail}`)).toBeVisible();
    return email.getByRole('region', { name: 'Sign out your other devices?' });
  };

  // Declined: nothing ends.
  const first = await change(uniqueEmail('declined'));
  await expect(first).toContainText('Your sign-in email has changed.');
  await first.getByRole('button', { name: 'Not now' }).click();
  await expect(first).toHaveCount(0);
  expect(await sessionIdsOf(customer)).toHaveLength(2);

  // Accepted.
  const second = await change(uniqueEmail('accepted'));
  await second.getByRole('button', { name: 'Sign out other devices' }).click();
  await expect(page.getByText('Every other device is signed out. This one stays signed in.')).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await sessionIdsOf(customer)).toEqual([ownSessionId]);
  await expectSignedOut(other);
});

test('after an email change confirmed by the link in a browser signed in to the account: the outcome page offers it too', async ({
  page,
  customer,
  signInAs,
  newDevice,
  uniqueEmail,
}) => {
  const { other, ownSessionId } = await anotherDevice(page, customer, signInAs, newDevice);
  const newEmail = uniqueEmail('by-link');
  const { email, mail } = await requestEmailChange(page, newEmail);
  await expect(email.getByText(`We sent a link and a code to ${newEmail}`)).toBeVisible();

  await page.goto(extractLink(mail, '/email-change/confirm'));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your email address is changed' })).toBeVisible();
  const offer = page.getByRole('region', { name: 'Sign out your other devices?' });
  await waitForHydration(offer.getByRole('button', { name: 'Sign out other devices' }));
  await offer.getByRole('button', { name: 'Sign out other devices' }).click();
  await expect(page.getByText('Every other device is signed out. This one stays signed in.')).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await sessionIdsOf(customer)).toEqual([ownSessionId]);
  await expectSignedOut(other);
});

test('with no other session, no offer', async ({ signedInPage: page }) => {
  await addVirtualAuthenticator(page);
  await addPasskey(page);
  const remove = passkeyItem(page, PASSKEY).getByRole('button', { name: `Delete passkey ${PASSKEY}` });
  page.once('dialog', (dialog) => void dialog.accept());
  await remove.click();
  await expect(page.getByText('You have no passkey yet.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  await expect(page.getByRole('region', { name: 'Sign out your other devices?' })).toHaveCount(0);
});
