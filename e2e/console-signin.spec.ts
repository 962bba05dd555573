/**
 * Staff sign-in, end to end, with real WebAuthn ceremonies on Chromium's virtual
 * authenticator (e2e/webauthn.ts): a passkey enrolled from an invitation link (the
 * token in the fragment), sign-out, sign-in with the button and through autofill,
 * user verification required, the invitation's refusals, and the member's own
 * passkeys on /console/account (docs/decisions/033-staff-console.md section 2).
 *
 * /console/signin makes an autofill (conditional mediation) request on load, which
 * the virtual authenticator answers at once when it holds a passkey for the site:
 * `openSignInWithoutAutofill` stands on the page signed out by taking the
 * credentials away while that request fails, as e2e/passkeys.spec.ts does.
 */
import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { createStaffInvitation, createStaffMember } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { addPasskey, expectAlert, ROUND_TRIPS_TIMEOUT, seriousViolations } from './helpers';
import {
  addVirtualAuthenticator,
  credentialRequests,
  recordCredentialRequests,
  type VirtualAuthenticator,
} from './webauthn';

test.describe.configure({ timeout: 60_000 });

const EXPIRED = 'This invitation has expired: invitations last 24 hours. Ask an administrator to send you a new one.';
const USED =
  'This invitation was already used to set up a passkey. Sign in with that passkey, or ask an administrator for a new invitation if you lost it.';
const UNKNOWN =
  "We don't recognize this invitation link. Check that you opened the whole link from the email, or ask an administrator for a new invitation.";
const NO_TOKEN =
  'This page needs the link from your invitation email. Open the whole link from the email again, or ask an administrator for a new invitation.';
const UNKNOWN_PASSKEY =
  "This passkey is not registered for the staff console. A customer account's passkey does not work here: use the passkey you set up from your staff invitation.";
const NOT_VERIFIED =
  'The passkey request was cancelled, or your device did not confirm it was you. Try again, and use your PIN, fingerprint or face when asked.';
const DISABLED = 'Your staff account is disabled. Ask an administrator if you need access again.';

let n = 0;
function staffEmail(workerIndex: number): string {
  return `signin-w${workerIndex}-${Date.now().toString(36)}-${n++}@example.test`;
}

async function invitedStaff(workerIndex: number, displayName = 'Noa Staff') {
  const staff = await createStaffMember({
    email: staffEmail(workerIndex),
    displayName,
    roles: ['support-agent'],
    activated: false,
  });
  const { token } = await createStaffInvitation(staff.id);
  return { staff, token };
}

/** Opens the invitation link and creates the passkey: the console's home, signed in. */
async function enrol(page: Page, token: string, displayName = 'Noa Staff'): Promise<void> {
  await page.goto(`/console/invitation#${token}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your passkey' })).toBeVisible();
  await expect(page.getByText(`Welcome, ${displayName}.`)).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
  const create = page.getByRole('button', { name: 'Create my passkey' });
  await waitForHydration(create);
  await create.click();
  await expect(page).toHaveURL(/\/console$/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect(page.getByRole('heading', { level: 1, name: `Hello, ${displayName}` })).toBeVisible();
}

/** The autofill request of the current document, once it has settled. */
async function conditionalOutcome(page: Page): Promise<string | undefined> {
  const requests = await credentialRequests(page).catch(() => []);
  return requests.find((r) => r.kind === 'get' && r.mediation === 'conditional')?.outcome;
}

async function openSignInWithoutAutofill(
  page: Page,
  authenticator: VirtualAuthenticator,
  navigate: () => Promise<unknown>,
): Promise<void> {
  const held = await authenticator.credentials();
  await authenticator.clearCredentials();
  await navigate();
  await expect(page).toHaveURL(/\/console\/signin(\?|$)/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect
    .poll(() => conditionalOutcome(page), { message: 'the autofill request never settled' })
    .toMatch(/^rejected/);
  for (const credential of held) await authenticator.addCredential(credential);
}

async function signOut(page: Page, authenticator: VirtualAuthenticator): Promise<void> {
  await openSignInWithoutAutofill(page, authenticator, () =>
    page.getByRole('button', { name: 'Sign out', exact: true }).click(),
  );
}

const audit = (staffId: string, action: string) => prisma.auditLog.count({ where: { actorStaffId: staffId, action } });

test.describe('staff enrolment and sign-in', () => {
  test('enrols from the invitation link, signs out, signs in again with the button; the link then says "used"', async ({
    page,
    browser,
    baseURL,
  }, testInfo) => {
    const { staff, token } = await invitedStaff(testInfo.workerIndex);
    await recordCredentialRequests(page);
    const authenticator = await addVirtualAuthenticator(page);
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url(), request.headers()['referer'] ?? ''));

    await enrol(page, token);
    // The token left the address bar and history, and no URL or Referer ever carried it.
    expect(urls.filter((url) => url.includes(token))).toEqual([]);
    await page.goBack();
    expect(page.url()).not.toContain(token);

    const member = await prisma.staffMember.findUniqueOrThrow({ where: { id: staff.id } });
    expect(member.activatedAt).not.toBeNull();
    expect(await prisma.staffPasskey.count({ where: { staffId: staff.id } })).toBe(1);
    expect(await prisma.staffInvitation.count({ where: { staffId: staff.id, usedAt: { not: null } } })).toBe(1);
    expect(await audit(staff.id, 'staff.passkey.enrol')).toBe(1);
    expect(await audit(staff.id, 'staff.sign-in')).toBe(1);

    await page.goto('/console');
    await signOut(page, authenticator);
    expect(await prisma.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
    expect(await audit(staff.id, 'staff.sign-out')).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await waitForHydration(button);
    await button.click();
    await expect(page).toHaveURL(/\/console$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Noa Staff' })).toBeVisible();
    expect(await audit(staff.id, 'staff.sign-in')).toBe(2);

    // The same link in another browser: used, nothing written.
    const other = await browser.newContext({ baseURL });
    const otherPage = await other.newPage();
    await addVirtualAuthenticator(otherPage);
    await otherPage.goto(`/console/invitation#${token}`);
    await expectAlert(otherPage, USED);
    expect(await prisma.staffPasskey.count({ where: { staffId: staff.id } })).toBe(1);
    await other.close();
  });

  test('autofill signs in and goes back to the console page asked for; ?next= never leaves /console', async ({
    page,
  }, testInfo) => {
    const { staff, token } = await invitedStaff(testInfo.workerIndex, 'Ali Staff');
    await addVirtualAuthenticator(page);
    await enrol(page, token, 'Ali Staff');
    await page.context().clearCookies();

    // No staff cookie: proxy.ts sends the console's pages to the sign-in at once, with the way back.
    const response = await page.request.get('/console/account', { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers()['location']).toBe('/console/signin?next=%2Fconsole%2Faccount');

    await page.goto('/console/account');
    await expect(page).toHaveURL(/\/console\/account$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();

    await page.context().clearCookies();
    await page.goto('/console/signin?next=https%3A%2F%2Fevil.example%2F');
    await expect(page).toHaveURL(/\/console$/, { timeout: ROUND_TRIPS_TIMEOUT });
    await page.context().clearCookies();
    await page.goto('/console/signin?next=%2Faccount');
    await expect(page).toHaveURL(/\/console$/, { timeout: ROUND_TRIPS_TIMEOUT });
    expect(await audit(staff.id, 'staff.sign-in')).toBe(4);
  });

  test('a passkey that does not verify the user, and a disabled member, are refused', async ({ page }, testInfo) => {
    const { staff, token } = await invitedStaff(testInfo.workerIndex);
    await recordCredentialRequests(page);
    const authenticator = await addVirtualAuthenticator(page);
    await enrol(page, token);
    await signOut(page, authenticator);

    await authenticator.setUserVerified(false);
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await waitForHydration(button);
    await button.click();
    // Chromium's authenticator refuses to answer without verifying the user, so nothing reaches
    // the app; an assertion without the UV flag that did is refused there
    // (tests/integration/staff-passkeys.test.ts).
    await expectAlert(page, NOT_VERIFIED);
    expect((await credentialRequests(page)).at(-1)).toEqual({
      kind: 'get',
      mediation: undefined,
      outcome: 'rejected: NotAllowedError',
    });
    await expect(page).toHaveURL(/\/console\/signin/);
    expect(await audit(staff.id, 'staff.sign-in')).toBe(1);
    expect(await prisma.staffSession.count({ where: { staffId: staff.id } })).toBe(0);

    await authenticator.setUserVerified(true);
    await prisma.staffMember.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
    await button.click();
    await expectAlert(page, DISABLED);
    expect(await prisma.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
  });

  test("a customer's passkey does not open the console", async ({ signedInPage: page }) => {
    const authenticator = await addVirtualAuthenticator(page);
    await recordCredentialRequests(page);
    await page.goto('/account/security');
    await addPasskey(page);
    expect(await authenticator.credentials()).toHaveLength(1);

    await openSignInWithoutAutofill(page, authenticator, () => page.goto('/console/signin'));
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await waitForHydration(button);
    await button.click();
    await expectAlert(page, UNKNOWN_PASSKEY);
    await expect(page).toHaveURL(/\/console\/signin$/);
  });
});

test.describe('invitation links that cannot be used', () => {
  test('expired, unknown and missing tokens each say so, and nothing is written', async ({ page }, testInfo) => {
    await addVirtualAuthenticator(page);
    const staff = await createStaffMember({
      email: staffEmail(testInfo.workerIndex),
      roles: ['marketer'],
      activated: false,
    });
    const { token } = await createStaffInvitation(staff.id, { expiresAt: new Date(Date.now() - 60_000) });

    await page.goto(`/console/invitation#${token}`);
    await expectAlert(page, EXPIRED);
    await expect(page.getByRole('button', { name: 'Create my passkey' })).toHaveCount(0);
    expect(await seriousViolations(page)).toEqual([]);

    // Another link pasted into the same tab changes only the fragment: the page starts over with it.
    await page.goto(`/console/invitation#${'A'.repeat(43)}`);
    await expectAlert(page, UNKNOWN);
    await page.goto('about:blank');
    await page.goto(`/console/invitation#<script>alert(1)</script>`);
    await expectAlert(page, UNKNOWN);
    await page.goto('about:blank');
    await page.goto('/console/invitation');
    await expectAlert(page, NO_TOKEN);

    expect(await prisma.staffPasskey.count({ where: { staffId: staff.id } })).toBe(0);
    expect(await prisma.staffSession.count({ where: { staffId: staff.id } })).toBe(0);
    expect(await prisma.staffInvitation.count({ where: { staffId: staff.id, usedAt: { not: null } } })).toBe(0);
  });
});

test.describe("a member's own passkeys on /console/account", () => {
  test('adds another, asks for a passkey first when the sign-in is not recent, removes any but the last', async ({
    page,
  }, testInfo) => {
    const { staff, token } = await invitedStaff(testInfo.workerIndex);
    await recordCredentialRequests(page);
    const first = await addVirtualAuthenticator(page);
    await enrol(page, token);

    // A stale sign-in: the button asks this device's passkey first (a modal, user-verified request).
    await prisma.staffSession.updateMany({ where: { staffId: staff.id }, data: { authenticatedAt: new Date(0) } });
    await page.goto('/console/account');
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await expect(page.getByText('This is your only passkey: add another before you remove it.')).toBeVisible();
    const add = page.getByRole('button', { name: 'Add a passkey' });
    await waitForHydration(add);
    await add.click();
    // The new passkey would go on the same device, which already holds one: refused by the browser.
    await expect(page.getByText('This device already holds a passkey for your staff account.')).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    expect((await credentialRequests(page)).map((r) => r.kind)).toEqual(['get', 'create']);
    const session = await prisma.staffSession.findFirstOrThrow({ where: { staffId: staff.id } });
    expect(Date.now() - session.authenticatedAt.getTime()).toBeLessThan(60_000);

    // Another device: the sign-in is recent now, so no second confirmation.
    await first.remove();
    await addVirtualAuthenticator(page);
    await add.click();
    await expect(page.getByText('Passkey added.')).toBeVisible({ timeout: ROUND_TRIPS_TIMEOUT });
    const items = page.getByRole('button', { name: /^Remove the passkey / });
    await expect(items).toHaveCount(2);
    expect(await audit(staff.id, 'staff.passkey.enrol')).toBe(2);

    page.once('dialog', (dialog) => void dialog.accept());
    await items.first().click();
    await expect(items).toHaveCount(0, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByText('This is your only passkey: add another before you remove it.')).toBeVisible();
    expect(await prisma.staffPasskey.count({ where: { staffId: staff.id } })).toBe(1);
    expect(await audit(staff.id, 'staff.passkey.remove')).toBe(1);
  });
});

test.describe('customer and staff sessions stay apart', () => {
  test('a customer session opens nothing under /console, a staff session nothing under /account', async ({
    signedInPage,
    staffPage,
  }) => {
    await signedInPage.goto('/console/account');
    await expect(signedInPage).toHaveURL(/\/console\/signin\?next=%2Fconsole%2Faccount$/);
    await expect(signedInPage.getByRole('heading', { level: 1, name: 'Sign in to the staff console' })).toBeVisible();

    const { page } = await staffPage(['administrator', 'support-agent', 'privacy-officer', 'marketer']);
    await page.goto('/account/security');
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount%2Fsecurity$/);
    await page.goto('/console/account');
    await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  });
});
