/**
 * /account/security beyond passkeys themselves: where the customer is signed in
 * (listed with browser and system, ended one by one or all at once, effective on
 * the other device's very next request), step-up before sensitive changes (inline,
 * by email code or passkey, then carrying on), "This wasn't me" from a notice mail,
 * a deleted session's cookie, and axe on the page.
 *
 * Step-up is tested by moving the clock, not by waiting: a session whose sign-in is
 * 11 minutes old (fixtures' staleSignedInPage, or authenticatedAt moved back).
 */
import type { Page } from '@playwright/test';

import { revokeSession } from '../server/identity/sessions';
import { prisma } from '../server/platform/db';
import {
  expect,
  SESSION_COOKIE,
  signInTooOldForStepUp,
  test,
  waitForHydration,
  type SignInAs,
  type TestCustomer,
} from './fixtures';
import {
  addPasskey,
  captureServerAction,
  extractLink,
  passkeyItem,
  recordServerActions,
  replay,
  ROUND_TRIPS_TIMEOUT,
  seriousViolations,
} from './helpers';
import { extractCode, waitForMail } from './mailbox';
import { addVirtualAuthenticator } from './webauthn';

// Several devices, sign-ins and ceremonies per test.
test.describe.configure({ timeout: 60_000 });

const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_MAC_LABEL = 'Firefox 128 on Mac OS 10.15.7';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SAFARI_IPHONE_LABEL = 'Mobile Safari 17 on iOS 17.5';
/** Playwright's Desktop Chrome profile, as the sessions list describes it. */
const THIS_BROWSER_LABEL = /Chrome \d+ on Windows 10/;

function sessionsList(page: Page) {
  return page.getByRole('region', { name: "Where you're signed in" }).getByRole('listitem');
}

function sessionIdsOf(customer: TestCustomer) {
  return prisma.session
    .findMany({ where: { userId: customer.id }, select: { id: true }, orderBy: { createdAt: 'asc' } })
    .then((rows) => rows.map((r) => r.id));
}

/** The other device's very next request finds its session gone. */
async function expectBouncedToSignIn(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount$/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in or create your account' })).toBeVisible();
}

async function expectStillSignedIn(page: Page): Promise<void> {
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible();
}

/** Signs the page's context in as the customer, storing the browser's own user agent on the session. */
async function signInWithThisBrowser(page: Page, customer: TestCustomer, signInAs: SignInAs) {
  const userAgent = await page.evaluate(() => navigator.userAgent);
  return signInAs(page.context(), customer.id, { userAgent });
}

test.describe('where you are signed in', () => {
  test('another device\'s session is listed with its browser and system; "Sign out" ends it at its next request', async ({
    page,
    customer,
    signInAs,
    newDevice,
  }) => {
    const own = await signInWithThisBrowser(page, customer, signInAs);
    const other = await newDevice({ userAgent: FIREFOX_MAC });
    await signInAs(other.context(), customer.id, { userAgent: FIREFOX_MAC });
    await expectStillSignedIn(other);

    await page.goto('/account/security');
    const sessions = sessionsList(page);
    await expect(sessions).toHaveCount(2);
    const current = sessions.filter({ hasText: 'This device' });
    await expect(current).toHaveCount(1);
    await expect(current).toContainText(THIS_BROWSER_LABEL);
    // The current session is first, and cannot be ended from here (the header's "Sign out" does that).
    await expect(sessions.first()).toContainText('This device');
    await expect(current.getByRole('button')).toHaveCount(0);
    const otherItem = sessions.filter({ hasText: FIREFOX_MAC_LABEL });
    await expect(otherItem).not.toContainText('This device');
    await expect(otherItem).toContainText(/Network .+ · signed in .+ · last active .+/);

    await waitForHydration(otherItem.getByRole('button'));
    await otherItem.getByRole('button', { name: `Sign out of ${FIREFOX_MAC_LABEL}`, exact: true }).click();
    await expect(otherItem).toHaveCount(0);
    await expect(sessions).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Sign out of all other sessions' })).toHaveCount(0);
    expect(await sessionIdsOf(customer)).toEqual([own.sessionId]);

    await expectBouncedToSignIn(other);
    await expectStillSignedIn(page);
  });

  test('"Sign out of all other sessions" ends every other session, and only those', async ({
    page,
    customer,
    createCustomer,
    signInAs,
    newDevice,
  }) => {
    const own = await signInWithThisBrowser(page, customer, signInAs);
    const laptop = await newDevice({ userAgent: FIREFOX_MAC });
    await signInAs(laptop.context(), customer.id, { userAgent: FIREFOX_MAC });
    const phone = await newDevice({ userAgent: SAFARI_IPHONE });
    await signInAs(phone.context(), customer.id, { userAgent: SAFARI_IPHONE });
    // Someone else's session is none of this customer's business.
    const stranger = await newDevice();
    const { sessionId: strangerSession } = await signInAs(
      stranger.context(),
      (await createCustomer({ firstName: 'Sam' })).id,
    );

    await page.goto('/account/security');
    const sessions = sessionsList(page);
    await expect(sessions).toHaveCount(3);
    await expect(sessions.filter({ hasText: FIREFOX_MAC_LABEL })).toHaveCount(1);
    await expect(sessions.filter({ hasText: SAFARI_IPHONE_LABEL })).toHaveCount(1);

    const signOutOthers = page.getByRole('button', { name: 'Sign out of all other sessions' });
    await waitForHydration(signOutOthers);
    await signOutOthers.click();
    await expect(sessions).toHaveCount(1);
    await expect(sessions).toContainText('This device');
    await expect(signOutOthers).toHaveCount(0);
    expect(await sessionIdsOf(customer)).toEqual([own.sessionId]);
    expect(await prisma.session.count({ where: { id: strangerSession } })).toBe(1);

    await expectBouncedToSignIn(laptop);
    await expectBouncedToSignIn(phone);
    await expectStillSignedIn(page);
  });
});

test.describe('step-up before sensitive changes', () => {
  test('"Add a passkey" on an 11-minute-old sign-in asks to confirm by email code, then adds the passkey', async ({
    staleSignedInPage: page,
    customer,
  }) => {
    const authenticator = await addVirtualAuthenticator(page);
    await page.goto('/account/security');
    const add = page.getByRole('button', { name: 'Add a passkey' });
    await waitForHydration(add);
    await add.click();

    const panel = page.getByRole('region', { name: "Confirm it's you" });
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: "Confirm it's you" })).toBeFocused();
    await expect(panel).toContainText('For your security, this change needs a recent sign-in.');
    // No passkey yet: the email code is the only way offered.
    await expect(panel.getByRole('button', { name: 'Use my passkey' })).toHaveCount(0);
    // Nothing ran before the step-up: no ceremony, no passkey.
    expect(await authenticator.credentials()).toEqual([]);

    const before = new Date();
    await panel.getByRole('button', { name: 'Email me a code' }).click();
    await expect(panel).toContainText('We sent a 6-digit code to your email.');
    const code = extractCode(
      await waitForMail(customer.email, { after: before, subjectIncludes: 'Your sign-in link and code' }),
    );
    const field = panel.getByLabel('Code', { exact: true });
    await expect(field).toBeFocused();
    await field.fill(code);
    await panel.getByRole('button', { name: 'Confirm' }).click();

    // The page carries on with what the customer was doing: the ceremony runs, the passkey is added.
    await expect(page.getByRole('status').filter({ hasText: 'Passkey added.' })).toBeVisible({
      timeout: ROUND_TRIPS_TIMEOUT,
    });
    await expect(panel).toHaveCount(0);
    await expect(passkeyItem(page, 'Chrome · Windows 10')).toBeVisible();
    expect(await authenticator.credentials()).toHaveLength(1);
    const session = await prisma.session.findFirstOrThrow({
      where: { userId: customer.id },
      select: { authMethod: true, authenticatedAt: true },
    });
    expect(session.authMethod).toBe('step-up-email-code');
    expect(Date.now() - session.authenticatedAt.getTime()).toBeLessThan(60_000);
    expect(await prisma.passkey.count({ where: { customerId: customer.id } })).toBe(1);
  });

  test('deleting a passkey on an old sign-in asks to confirm, here with the passkey', async ({
    signedInPage: page,
    customer,
  }) => {
    await addVirtualAuthenticator(page);
    await addPasskey(page);
    // The clock moves on: the sign-in is now 11 minutes old.
    await prisma.session.updateMany({
      where: { userId: customer.id },
      data: { authenticatedAt: signInTooOldForStepUp() },
    });
    await page.reload();

    const item = passkeyItem(page, 'Chrome · Windows 10');
    page.once('dialog', (dialog) => void dialog.accept());
    await waitForHydration(item.getByRole('button', { name: 'Delete passkey Chrome · Windows 10' }));
    await item.getByRole('button', { name: 'Delete passkey Chrome · Windows 10' }).click();
    const panel = page.getByRole('region', { name: "Confirm it's you" });
    await expect(panel).toBeVisible();
    expect(await prisma.passkey.count({ where: { customerId: customer.id } })).toBe(1);

    await panel.getByRole('button', { name: 'Use my passkey' }).click();
    await expect(item).toHaveCount(0, { timeout: ROUND_TRIPS_TIMEOUT });
    await expect(page.getByText('You have no passkey yet.')).toBeVisible();
    expect(await prisma.passkey.count({ where: { customerId: customer.id } })).toBe(0);
    expect(
      await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { authMethod: true } }),
    ).toEqual({
      authMethod: 'step-up-passkey',
    });
  });

  test('cancelling the step-up changes nothing', async ({ staleSignedInPage: page, customer }) => {
    const authenticator = await addVirtualAuthenticator(page);
    await page.goto('/account/security');
    await waitForHydration(page.getByRole('button', { name: 'Add a passkey' }));
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const panel = page.getByRole('region', { name: "Confirm it's you" });
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await expect(panel).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
    expect(await authenticator.credentials()).toEqual([]);
    expect(await prisma.passkey.count({ where: { customerId: customer.id } })).toBe(0);
    expect(
      await prisma.session.findFirstOrThrow({ where: { userId: customer.id }, select: { authMethod: true } }),
    ).toEqual({
      authMethod: 'test-fixture',
    });
  });
});

test('"This wasn\'t me": opening the link ends nothing; its button ends every session, once', async ({
  signedInPage: page,
  customer,
  signInAs,
  newDevice,
  request,
}) => {
  const other = await newDevice({ userAgent: FIREFOX_MAC });
  await signInAs(other.context(), customer.id, { userAgent: FIREFOX_MAC });
  // A passkey added here sends a notice with the link.
  const authenticator = await addVirtualAuthenticator(page);
  const before = new Date();
  await addPasskey(page);
  // Else /signin's autofill would sign this browser in again with it, at once.
  await authenticator.remove();
  const mail = await waitForMail(customer.email, {
    subjectIncludes: 'A passkey was added to your account',
    after: before,
  });
  const link = extractLink(mail, '/security/not-me');
  const token = new URL(link).searchParams.get('token')!;

  // A mail scanner fetches the link: it gets the confirmation page, and nothing ends.
  const scanned = await request.get(link);
  expect(scanned.status()).toBe(200);
  expect(await scanned.text()).toContain('Sign out everywhere');
  expect(await sessionIdsOf(customer)).toHaveLength(2);
  await expectStillSignedIn(other);

  // The customer opens it on yet another device, not signed in.
  const mailApp = await newDevice();
  await mailApp.goto(link);
  await expect(mailApp.getByRole('heading', { level: 1, name: 'Secure your account' })).toBeVisible();
  expect(await sessionIdsOf(customer)).toHaveLength(2);
  const posts = recordServerActions(mailApp, (body) => body.includes(token));
  await waitForHydration(mailApp.getByRole('button', { name: 'Sign out everywhere' }));
  await mailApp.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(mailApp.getByRole('heading', { level: 1, name: "You're signed out everywhere" })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });
  expect(await sessionIdsOf(customer)).toEqual([]);
  expect(await prisma.securityEvent.count({ where: { customerId: customer.id, type: 'sessions.revoked_all' } })).toBe(
    1,
  );

  await expectBouncedToSignIn(page);
  await expectBouncedToSignIn(other);

  // The link works once.
  await mailApp.goto(link);
  await expect(mailApp.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
  await expect(mailApp.getByRole('button', { name: 'Sign out everywhere' })).toHaveCount(0);
  // Posting the token again, as the form did, ends nothing either.
  expect(posts).toHaveLength(1);
  const { sessionId } = await signInAs(other.context(), customer.id, { userAgent: FIREFOX_MAC });
  const again = await replay(mailApp, posts[0]!, new URL(link).origin);
  expect(again.status()).toBeLessThan(500);
  expect(await sessionIdsOf(customer)).toEqual([sessionId]);
  await expectStillSignedIn(other);
  expect(await prisma.securityEvent.count({ where: { customerId: customer.id, type: 'sessions.revoked_all' } })).toBe(
    1,
  );
});

test("a deleted session's cookie is worthless: pages bounce to /signin, the session API has no user, actions change nothing", async ({
  page,
  customer,
  signInAs,
  newDevice,
}) => {
  const { sessionId } = await signInWithThisBrowser(page, customer, signInAs);
  const other = await newDevice({ userAgent: FIREFOX_MAC });
  const { sessionId: otherId } = await signInAs(other.context(), customer.id, { userAgent: FIREFOX_MAC });
  const sessionUser = async () =>
    ((await (await page.request.get('/api/auth/session')).json()) as { user?: { email?: string } } | null)?.user;
  expect(await sessionUser()).toMatchObject({ email: customer.email });

  // Prepared while the session was alive: "Sign out of all other sessions".
  await page.goto('/account/security');
  await waitForHydration(page.getByRole('button', { name: 'Sign out of all other sessions' }));
  const signOutOthers = await captureServerAction(page, () =>
    page.getByRole('button', { name: 'Sign out of all other sessions' }).click(),
  );

  // Ended by server code (as "Sign out" on another device would), the cookie stays in this browser.
  expect(await revokeSession(customer.id, sessionId)).toBe(true);
  expect((await page.context().cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(true);

  await expectBouncedToSignIn(page);
  await page.goto('/account/security');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount%2Fsecurity$/);
  expect(await sessionUser()).toBeUndefined();

  const response = await replay(page, signOutOthers, new URL(page.url()).origin);
  expect(response.status()).toBeLessThan(500);
  expect(await sessionIdsOf(customer)).toEqual([otherId]);
  await expectStillSignedIn(other);
});

test.describe('axe finds no serious or critical violation on /account/security', () => {
  test('with a passkey and two sessions listed, and with the step-up panel open', async ({
    signedInPage: page,
    customer,
    signInAs,
    newDevice,
  }) => {
    await addVirtualAuthenticator(page);
    await addPasskey(page);
    await signInAs((await newDevice({ userAgent: FIREFOX_MAC })).context(), customer.id, { userAgent: FIREFOX_MAC });
    await page.reload();
    await expect(passkeyItem(page, 'Chrome · Windows 10')).toBeVisible();
    await expect(sessionsList(page)).toHaveCount(2);
    expect(await seriousViolations(page)).toEqual([]);

    await prisma.session.updateMany({
      where: { userId: customer.id },
      data: { authenticatedAt: signInTooOldForStepUp() },
    });
    await page.reload();
    await waitForHydration(page.getByRole('button', { name: 'Add a passkey' }));
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByRole('region', { name: "Confirm it's you" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
