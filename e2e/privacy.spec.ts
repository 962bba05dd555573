/**
 * The privacy dashboard: consents granted and withdrawn with their receipts,
 * a new text version asked again, Global Privacy Control, export, deletion and
 * registering again, another customer's receipt refused, accessibility.
 */
import { readFile } from 'node:fs/promises';

import type { Page } from '@playwright/test';

import { subjectPseudonym } from '../server/platform/crypto';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';
import { extractCode, waitForMail } from './mailbox';

// Each test makes a dozen round trips through server actions: three times the
// default budget, for a 2-core machine busy with the other worker.
test.describe.configure({ timeout: 90_000 });
const OPTIONAL_PURPOSES = ['Marketing emails', 'Personalization', 'Analytics', 'Sharing with partners'];
/** Each purpose's current text version (server/consent/purposes.ts): personalization's names the activity signals. */
const TEXT_VERSION: Record<string, number> = { Personalization: 2 };

async function openPrivacy(page: Page): Promise<void> {
  await page.goto('/account/privacy');
  await expect(page.getByRole('heading', { level: 1, name: 'Privacy' })).toBeVisible();
  await waitForHydration(page.getByRole('button', { name: 'Download my data' }));
}

/** Makes the session's sign-in older than the step-up window. */
async function ageSignIn(customerId: string): Promise<void> {
  await prisma.session.updateMany({
    where: { userId: customerId },
    data: { authenticatedAt: new Date(Date.now() - 11 * 60 * 1000) },
  });
}

test.describe('consents', () => {
  test('each optional purpose is granted then withdrawn in one click, each answer with its receipt', async ({
    signedInPage: page,
    customer,
  }) => {
    await openPrivacy(page);
    for (const title of OPTIONAL_PURPOSES) {
      await page.getByRole('button', { name: `Allow: ${title}` }).click();
      await expect(page.getByText(`${title}: allowed from now on.`)).toBeVisible();
      await page.getByRole('button', { name: `Withdraw: ${title}` }).click();
      await expect(page.getByText(`${title}: withdrawn. It applies at once.`)).toBeVisible();
      await expect(page.getByRole('button', { name: `Allow: ${title}` })).toBeVisible();
    }
    // The required purpose cannot be withdrawn from here.
    const terms = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Terms of use and privacy notice' }) });
    await expect(terms.getByText('Required to have an account')).toBeVisible();
    await expect(terms.getByRole('button')).toHaveCount(0);

    await page.reload();
    const history = page.getByRole('region', { name: 'Consent history' });
    for (const title of OPTIONAL_PURPOSES) {
      const version = TEXT_VERSION[title] ?? 1;
      await expect(history.getByText(`${title}: allowed (version ${version})`)).toBeVisible();
      await expect(history.getByText(`${title}: withdrawn (version ${version})`)).toBeVisible();
    }
    const receipts = await prisma.consentReceipt.findMany({
      where: { customerId: customer.id },
      select: { purposeKey: true, granted: true },
    });
    expect(receipts).toHaveLength(1 + 2 * OPTIONAL_PURPOSES.length);
    const events = await prisma.outboxEvent.findMany({ where: { customerId: customer.id }, select: { type: true } });
    expect(events).toHaveLength(2 * OPTIONAL_PURPOSES.length);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['consent.updated']));

    // Any receipt downloads as a Kantara consent receipt.
    const download = page.waitForEvent('download');
    await history
      .getByRole('link', { name: /Download the receipt: Analytics/ })
      .first()
      .click();
    const receipt = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
    expect(receipt).toMatchObject({
      version: 'KI-CR-v1.1.0',
      jurisdiction: 'EU',
      collectionMethod: 'privacy-dashboard',
      piiPrincipalId: subjectPseudonym(customer.id),
      piiControllers: [{ piiController: 'Accord' }],
      services: [{ purposes: [{ purpose: 'Analytics' }] }],
      accord: { purposeKey: 'analytics', purposeVersion: 1, channel: 'portal' },
    });
  });

  test("another customer's receipt is not found", async ({ signedInPage: page, createCustomer }) => {
    const other = await createCustomer();
    const theirs = await prisma.consentReceipt.findFirstOrThrow({
      where: { customerId: other.id },
      select: { id: true },
    });
    expect((await page.request.get(`/account/privacy/receipts/${theirs.id}`)).status()).toBe(404);
    expect((await page.request.get('/account/privacy/receipts/not-a-uuid')).status()).toBe(404);
  });

  test('a new version of a text asks again; until answered, the consent stands for the old version only', async ({
    signedInPage: page,
    customer,
  }) => {
    const key = `e2e-purpose-${Date.now()}`;
    await prisma.consentPurpose.create({
      data: {
        key,
        legalBasis: 'consent',
        currentVersion: 1,
        sortOrder: 90,
        versions: {
          create: {
            version: 1,
            titleEn: 'Loyalty offers',
            titleFr: 'Offres fidélité',
            textEn: 'Version one.',
            textFr: 'Version un.',
            policyUrl: '/legal/privacy',
          },
        },
      },
    });
    try {
      await openPrivacy(page);
      await page.getByRole('button', { name: 'Allow: Loyalty offers' }).click();
      await expect(page.getByText('Loyalty offers: allowed from now on.')).toBeVisible();

      await prisma.$transaction([
        prisma.consentPurposeVersion.create({
          data: {
            purposeKey: key,
            version: 2,
            titleEn: 'Loyalty offers',
            titleFr: 'Offres fidélité',
            textEn: 'Version two.',
            textFr: 'Version deux.',
            policyUrl: '/legal/privacy',
          },
        }),
        prisma.consentPurpose.update({ where: { key }, data: { currentVersion: 2 } }),
      ]);
      await page.goto('/account');
      await expect(page.getByText('One text you agreed to has changed')).toBeVisible();
      await page.getByRole('link', { name: 'Review now' }).click();
      const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Loyalty offers' }) });
      await expect(item.getByText('Allowed, for version 1 of this text')).toBeVisible();
      await expect(item.getByText('You agreed to version 1. Version 2 changed the text.')).toBeVisible();
      await waitForHydration(item.getByRole('button', { name: 'Agree to the new text' }));
      await item.getByRole('button', { name: 'Agree to the new text' }).click();
      await expect(item.getByText('Loyalty offers: allowed from now on.')).toBeVisible();
      await expect(page.getByText('One text you agreed to has changed')).toHaveCount(0);
      const answers = await prisma.consentReceipt.findMany({
        where: { customerId: customer.id, purposeKey: key },
        orderBy: { createdAt: 'asc' },
        select: { purposeVersion: true, granted: true },
      });
      expect(answers).toEqual([
        { purposeVersion: 1, granted: true },
        { purposeVersion: 2, granted: true },
      ]);
    } finally {
      await prisma.consentReceipt.deleteMany({ where: { purposeKey: key } });
      await prisma.consentPurpose.delete({ where: { key } });
    }
  });

  test('a request with Sec-GPC: 1 records the opt-out of sale and sharing, with its source', async ({
    customer,
    signInAs,
    newDevice,
  }) => {
    await prisma.consentReceipt.create({
      data: {
        customerId: customer.id,
        subjectPseudonym: subjectPseudonym(customer.id),
        purposeKey: 'partner-sharing',
        purposeVersion: 1,
        granted: true,
        collectionMethod: 'privacy-dashboard',
        channel: 'portal',
        jurisdiction: 'EU',
        policyUrl: '/legal/privacy#partners',
      },
    });
    const page = await newDevice({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
    await signInAs(page.context(), customer.id);
    await page.goto('/account/privacy');
    const optOut = page.getByRole('region', { name: 'Sale and sharing of your data' });
    await expect(
      optOut.getByText(
        /Opted out of the sale and sharing of your data on .*, from your browser's Global Privacy Control signal\./,
      ),
    ).toBeVisible();
    const sharing = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Sharing with partners' }) });
    await expect(sharing.getByText('Not allowed')).toBeVisible();
    await expect(
      sharing.getByText('Your browser asks not to sell or share your data (Global Privacy Control).'),
    ).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Consent history' }).getByText(/Sharing with partners: withdrawn \(version 1\)/),
    ).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Consent history' }).getByText(/Global Privacy Control · US-CA/),
    ).toBeVisible();
    expect(
      await prisma.privacyOptOut.findMany({ where: { customerId: customer.id }, select: { kind: true, source: true } }),
    ).toEqual([{ kind: 'sale-sharing', source: 'global-privacy-control' }]);
    // Recorded once, however many requests carry the signal.
    await page.reload();
    expect(await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'consent.updated' } })).toBe(1);
  });
});

test.describe('export and deletion', () => {
  test('the export, after confirming it is you, contains what was changed', async ({
    signedInPage: page,
    customer,
  }) => {
    await page.goto('/account/profile');
    const details = page.getByRole('form', { name: 'Personal details' });
    await waitForHydration(details.getByRole('button', { name: 'Save' }));
    await details.getByLabel('Last name').fill('Exportée');
    await details.getByRole('button', { name: 'Save' }).click();
    await expect(details.getByText('Saved.', { exact: false })).toBeVisible();
    await openPrivacy(page);
    await page.getByRole('button', { name: 'Allow: Personalization' }).click();
    await expect(page.getByText('Personalization: allowed from now on.')).toBeVisible();

    await ageSignIn(customer.id);
    await page.getByRole('button', { name: 'Download my data' }).click();
    await expect(page.getByRole('heading', { name: "Confirm it's you" })).toBeVisible();
    const asked = new Date();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    const mail = await waitForMail(customer.email, { after: asked, subjectIncludes: 'Your sign-in link and code' });
    await page.getByLabel('Code', { exact: true }).fill(extractCode(mail));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^accord-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await file.path())!, 'utf8'));
    expect(data).toMatchObject({
      schema: 'accord-export',
      schemaVersion: 2,
      customer: {
        id: customer.id,
        email: customer.email,
        firstName: 'Camille',
        lastName: 'Exportée',
        provenance: { lastName: { channel: 'portal' } },
      },
      profileHistory: [{ attribute: 'lastName', oldValue: null, newValue: 'Exportée', channel: 'portal' }],
      consents: {
        current: expect.arrayContaining([
          expect.objectContaining({ purpose: 'personalization', granted: true, version: 2 }),
        ]),
      },
      dataAccessLog: [],
    });
    expect(data.consents.receipts.map((r: { accord: { purposeKey: string } }) => r.accord.purposeKey)).toEqual([
      'terms-of-service',
      'personalization',
    ]);
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
  });

  test('the export refuses a stale sign-in and no session', async ({ signedInPage: page, customer, newDevice }) => {
    await ageSignIn(customer.id);
    expect((await page.request.get('/account/privacy/export', { maxRedirects: 0 })).status()).toBe(403);
    const stranger = await newDevice();
    expect(
      (await stranger.request.get('/account/privacy/export', { maxRedirects: 0 })).status(),
    ).toBeGreaterThanOrEqual(300);
  });

  test('deletion after a typed confirmation erases the account; the same email registers again as a new customer', async ({
    signedInPage: page,
    customer,
  }) => {
    await openPrivacy(page);
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const confirmation = page.getByLabel(`To confirm, type your email address: ${customer.email}`);
    await waitForHydration(confirmation);
    await confirmation.fill('someone-else@example.test');
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await expect(confirmation).toHaveAccessibleDescription('Type your email address exactly as shown to confirm.');
    expect(await prisma.user.count({ where: { id: customer.id } })).toBe(1);

    await confirmation.fill(customer.email.toUpperCase());
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await expect(page).toHaveURL(/\/account-deleted$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Your account is deleted' })).toBeVisible();

    try {
      expect(await prisma.user.count({ where: { id: customer.id } })).toBe(0);
      expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
      const receipts = await prisma.consentReceipt.findMany({
        where: { subjectPseudonym: subjectPseudonym(customer.id) },
        select: { customerId: true, purposeKey: true },
      });
      expect(receipts).toEqual([{ customerId: null, purposeKey: 'terms-of-service' }]);
      expect(await prisma.outboxEvent.count({ where: { customerId: customer.id, type: 'customer.deleted' } })).toBe(1);

      await page.goto('/account');
      await expect(page).toHaveURL(/\/signin/);
      await page.goto('/signin');
      const field = page.getByLabel('Email', { exact: true });
      await waitForHydration(field);
      const asked = new Date();
      await field.fill(customer.email);
      await page.getByRole('button', { name: 'Continue' }).click();
      const mail = await waitForMail(customer.email, { after: asked, subjectIncludes: 'Your sign-in link and code' });
      const code = page.getByLabel('Code', { exact: true });
      await waitForHydration(code);
      await code.fill(extractCode(mail));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page).toHaveURL(/\/welcome$/);
      const again = await prisma.user.findUniqueOrThrow({ where: { email: customer.email }, select: { id: true } });
      expect(again.id).not.toBe(customer.id);
    } finally {
      await prisma.consentReceipt.deleteMany({ where: { subjectPseudonym: subjectPseudonym(customer.id) } });
      await prisma.outboxEvent.deleteMany({ where: { customerId: customer.id } });
    }
  });
});

test.describe('accessibility', () => {
  test('axe finds no serious or critical violation on /account/privacy, also with the deletion form open', async ({
    signedInPage: page,
  }) => {
    await openPrivacy(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await expect(page.getByRole('textbox')).toHaveAttribute('aria-invalid', 'true');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('the dashboard in French', async ({ signedInPage: page }) => {
    await page.goto('/account/privacy');
    await page.getByRole('button', { name: 'Français' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Confidentialité' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Autoriser : E-mails commerciaux' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
