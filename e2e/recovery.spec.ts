/**
 * Recovery evicts the attacker (docs/decisions/022-recovery-evicts-the-attacker.md),
 * end to end: real WebAuthn ceremonies on Chromium's virtual authenticator, real
 * mails through the SMTP sink.
 * - Someone with a session of the customer adds a passkey of their own; the customer
 *   presses "This wasn't me" in the notice: every session ends and that passkey no
 *   longer signs in, neither by autofill nor by the button.
 * - After an email change, the customer closes the way back (after step-up): the
 *   previous address's revert link then does nothing.
 */
import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, signInTooOldForStepUp, test, waitForHydration } from './fixtures';
import {
  addPasskey,
  expectAlert,
  extractLink,
  PASSKEY_NAME,
  requestEmailChange,
  ROUND_TRIPS_TIMEOUT,
  seriousViolations,
} from './helpers';
import { extractCode, waitForMail } from './mailbox';
import { addVirtualAuthenticator } from './webauthn';

// Several devices, ceremonies and mails per test.
test.describe.configure({ timeout: 90_000 });

const INVALID_PASSKEY = 'That passkey could not be verified. Try again, or use your email.';

const sessionsOf = (customerId: string) => prisma.session.count({ where: { userId: customerId } });

async function expectBouncedToSignIn(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount$/, { timeout: ROUND_TRIPS_TIMEOUT });
}

test('"This wasn\'t me" on the notice of a passkey someone else added: their session ends and their passkey no longer signs in', async ({
  customer,
  signInAs,
  newDevice,
}) => {
  // The attacker holds a fresh session of the customer's (a stolen sign-in) and adds a passkey of their own.
  const attacker = await newDevice();
  await signInAs(attacker.context(), customer.id);
  const attackerKey = await addVirtualAuthenticator(attacker);
  const before = new Date();
  await addPasskey(attacker);
  expect(await attackerKey.credentials()).toHaveLength(1);

  // The customer, on their own device, gets the notice and presses "This wasn't me".
  const mail = await waitForMail(customer.email, {
    subjectIncludes: 'A passkey was added to your account',
    after: before,
  });
  expect(mail.text).toContain(`"${PASSKEY_NAME}"`);
  const own = await newDevice();
  await own.goto(extractLink(mail, '/security/not-me'));
  await expect(own.getByRole('heading', { level: 1, name: 'Secure your account' })).toBeVisible();
  await waitForHydration(own.getByRole('button', { name: 'Sign out everywhere' }));
  await own.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(own.getByRole('heading', { level: 1, name: "You're signed out everywhere" })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await sessionsOf(customer.id)).toBe(0);
  expect(await prisma.passkey.count({ where: { customerId: customer.id } })).toBe(0);

  // The attacker's session is gone: the next request lands on /signin, where the browser's
  // autofill offers the attacker's passkey at once, and it is refused.
  await expectBouncedToSignIn(attacker);
  await expectAlert(attacker, INVALID_PASSKEY);
  // The button, the other way in, is refused the same way.
  await attacker.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectAlert(attacker, INVALID_PASSKEY);
  await expect(attacker).toHaveURL(/\/signin/);
  expect(await sessionsOf(customer.id)).toBe(0);
  // The key still exists on the attacker's device; the account no longer knows it.
  expect(await attackerKey.credentials()).toHaveLength(1);
});

test('after an email change the customer closes the way back, after confirming it is them; the revert link then does nothing', async ({
  signedInPage: page,
  customer,
  uniqueEmail,
  newDevice,
}) => {
  const newEmail = uniqueEmail('closed-way-back');
  const { email, sent, mail: verification } = await requestEmailChange(page, newEmail);
  await email.getByLabel('Code from the email').fill(extractCode(verification));
  await email.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(email.getByText(`Done: you now sign in with ${newEmail}`)).toBeVisible();
  const notice = await waitForMail(customer.email, {
    after: sent,
    subjectIncludes: "Your account's email address was changed",
  });

  // Ten minutes later, the sign-in is too old for this without proving it again.
  await prisma.session.updateMany({
    where: { userId: customer.id },
    data: { authenticatedAt: signInTooOldForStepUp() },
  });
  await page.reload();
  await expect(email.getByText(`${customer.email} can undo the change to this address`)).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  const close = email.getByRole('button', { name: 'Close the way back' });
  await waitForHydration(close);
  await close.click();
  await expect(page.getByRole('heading', { name: "Confirm it's you" })).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  const asked = new Date();
  await page.getByRole('button', { name: 'Email me a code' }).click();
  // Step-up codes go to the address the account signs in with now.
  const stepUpMail = await waitForMail(newEmail, { after: asked, subjectIncludes: 'Your sign-in link and code' });
  await page.getByLabel('Code', { exact: true }).fill(extractCode(stepUpMail));
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(email.getByText(`Done: ${customer.email} can no longer undo the change.`)).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await prisma.securityEvent.count({ where: { customerId: customer.id, type: 'email.revert_closed' } })).toBe(1);

  await page.reload();
  await expect(email.getByRole('button', { name: 'Close the way back' })).toHaveCount(0);

  // The previous address's link now only says it no longer works.
  const revert = await newDevice();
  await revert.goto(extractLink(notice, '/email-change/revert'));
  await expect(revert.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
  await expect(revert.getByRole('button', { name: 'Undo the change' })).toHaveCount(0);
  expect((await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { email: true } })).email).toBe(
    newEmail,
  );
  expect(await sessionsOf(customer.id)).toBe(1);
});
