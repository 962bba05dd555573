/**
 * The marketer's block editor (docs/decisions/035-personalization.md §6): a new block with an
 * image and a rule built without code, its live preview, the rule in plain words and an audience
 * estimate that follows the rule; saved as a draft revision, audited; axe finds nothing serious.
 * Publishing is e2e/console-content.spec.ts's.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import sharp from 'sharp';

import { applyPersonalizationReferenceData } from '../server/personalization/reference';
import { subjectPseudonym } from '../server/platform/crypto';
import { prisma } from '../server/platform/db';
import { createCustomer } from '../tests/factories';
import { expect, test, waitForHydration } from './fixtures';
import { seriousViolations } from './helpers';

/** A customer whose personalization grant is in effect and who likes running: the estimate counts them. */
async function runner() {
  const customer = await createCustomer();
  const purpose = await prisma.consentPurpose.findUniqueOrThrow({ where: { key: 'personalization' } });
  await prisma.consentReceipt.create({
    data: {
      customerId: customer.id,
      subjectPseudonym: subjectPseudonym(customer.id),
      purposeKey: 'personalization',
      purposeVersion: purpose.currentVersion,
      granted: true,
      collectionMethod: 'test',
      channel: 'portal',
      jurisdiction: 'EU',
      policyUrl: '/legal/privacy',
    },
  });
  await prisma.customerPreference.create({
    data: { customerId: customer.id, name: 'interest', value: 'running', channel: 'portal' },
  });
}

test.describe('the block editor', () => {
  test.beforeEach(() => test.slow());
  // The e2e database comes from the migrated template: categories are applied at start-up elsewhere.
  test.beforeAll(() => applyPersonalizationReferenceData().then(() => undefined));

  test('a marketer creates a block with an image and a rule, sees the preview, the summary and the estimate follow, and saves a draft', async ({
    staffPage,
  }) => {
    await runner();
    const { page, staff } = await staffPage(['marketer']);
    const key = `e2e-${randomUUID().slice(0, 8)}`;

    await page.goto('/console/content');
    await expect(page.getByRole('heading', { level: 1, name: 'Content' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'New block in Hero' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New block' })).toBeVisible();

    await waitForHydration(page.getByLabel('Key'));
    await page.getByLabel('Key').fill(key);
    const title = page.getByRole('group', { name: 'Title' });
    await title.getByLabel('English').fill('Trail season <b>now</b>');
    await title.getByLabel('French').fill('La saison du trail');
    await page.getByRole('group', { name: 'Text' }).getByLabel('English').fill('New shoes are in.\nCome and try them.');
    await page.getByRole('group', { name: 'Text' }).getByLabel('French').fill('Les nouvelles chaussures sont là.');

    // The live preview shows what is typed, as text.
    const preview = page.getByRole('complementary', { name: 'Preview' });
    await expect(preview.getByRole('heading', { name: 'Trail season <b>now</b>' })).toBeVisible();

    // An image: uploaded to the console's route, then described in both languages.
    const png = await sharp(randomBytes(240 * 160 * 3), { raw: { width: 240, height: 160, channels: 3 } })
      .png()
      .toBuffer();
    await page.getByLabel('Upload an image').setInputFiles({ name: 'trail.png', mimeType: 'image/png', buffer: png });
    await expect(page.getByText('An image is chosen.')).toBeVisible();
    await page.getByLabel('Image description (English)').fill('Runners on a mountain trail');
    await page.getByLabel('Image description (French)').fill('Des coureurs sur un sentier de montagne');
    await expect(preview.getByRole('img', { name: 'Runners on a mountain trail' })).toBeVisible();
    // A text file is refused in the browser with a message.
    await page
      .getByLabel('Upload an image')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect(page.getByText('This file is not a JPEG, PNG or WebP image.')).toBeVisible();

    // The rule: interested in running.
    await page.getByRole('button', { name: 'Add condition' }).click();
    await expect(page.getByText('Complete every condition to see the estimate.')).toBeVisible();
    await page.getByRole('group', { name: 'Values of condition 1' }).getByLabel('Running', { exact: true }).check();
    await expect(page.getByRole('heading', { name: 'In plain words' }).locator('..')).toContainText('Running');
    const matching = page.getByTestId('estimate-matching');
    await expect(matching).toHaveText(/^[1-9][\d,\s ]*$/);
    await expect(page.getByText('Only customers who turned personalization on are evaluated')).toBeVisible();

    // …and registered over 36 000 days ago: nobody.
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Attribute of condition 2').selectOption({ label: 'Days since registration' });
    await page.getByLabel('Days of condition 2').fill('36000');
    await expect(matching).toHaveText('0');
    await page.getByRole('button', { name: 'Remove condition 2' }).click();
    await expect(matching).toHaveText(/^[1-9][\d,\s ]*$/);

    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Draft saved as revision 1.')).toBeVisible();
    await expect(page).toHaveURL(/\/console\/content\/blocks\/[0-9a-f-]{36}\?saved=1$/);

    const object = await prisma.contentObject.findUniqueOrThrow({
      where: { type_key: { type: 'block', key } },
      select: {
        id: true,
        slot: true,
        liveRevisionId: true,
        revisions: { select: { body: true, authorStaffId: true } },
      },
    });
    expect(object).toMatchObject({ slot: 'hero', liveRevisionId: null });
    expect(object.revisions).toHaveLength(1);
    expect(object.revisions[0]).toMatchObject({
      authorStaffId: staff.id,
      body: {
        title: { en: 'Trail season <b>now</b>' },
        image: { alt: { en: 'Runners on a mountain trail' } },
        rule: { $and: [{ interests: { $in: ['running'] } }] },
        generic: false,
      },
    });
    expect(await prisma.auditLog.count({ where: { actorStaffId: staff.id, action: 'content.image.upload' } })).toBe(1);
  });

  test('a segment used by a block lists it; a second tab saving an older revision is told and saves nothing', async ({
    staffPage,
  }) => {
    const { page, context } = await staffPage(['marketer']);
    const tag = randomUUID().slice(0, 8);

    await page.goto('/console/content/segments/new');
    await waitForHydration(page.getByLabel('Key'));
    await page.getByLabel('Key').fill(`runners-${tag}`);
    await page.getByLabel('Name').fill(`Runners ${tag}`);
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByRole('group', { name: 'Values of condition 1' }).getByLabel('Running', { exact: true }).check();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Draft saved as revision 1.')).toBeVisible();
    await expect(page).toHaveURL(/\/console\/content\/segments\/[0-9a-f-]{36}\?saved=1$/);
    const segmentUrl = page.url().split('?')[0]!;

    await page.goto('/console/content/blocks/new?slot=notice');
    await waitForHydration(page.getByLabel('Key'));
    await page.getByLabel('Key').fill(`notice-${tag}`);
    await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill('For runners');
    await page.getByRole('group', { name: 'Title' }).getByLabel('French').fill('Pour les coureurs');
    await page.getByRole('button', { name: 'Add segment' }).click();
    await page.getByLabel('Segment of condition 1').selectOption({ label: `Runners ${tag}` });
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Draft saved as revision 1.')).toBeVisible();
    await expect(page).toHaveURL(/\/console\/content\/blocks\/[0-9a-f-]{36}\?saved=1$/);
    const blockUrl = page.url().split('?')[0]!;

    await page.goto(segmentUrl);
    await expect(
      page.getByRole('region', { name: 'Used by' }).getByRole('link', { name: `notice-${tag}` }),
    ).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    // Two tabs on the same revision: the first saves, the second is stale.
    const second = await context.newPage();
    await Promise.all([page.goto(blockUrl), second.goto(blockUrl)]);
    for (const p of [page, second]) await waitForHydration(p.getByRole('button', { name: 'Save draft' }));
    await page.getByRole('group', { name: 'Title' }).getByLabel('English').fill('For runners, first tab');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect(page.getByText('Draft saved as revision 2.')).toBeVisible();
    await second.getByRole('group', { name: 'Title' }).getByLabel('English').fill('For runners, second tab');
    await second.getByRole('button', { name: 'Save draft' }).click();
    await expect(second.getByText('This block changed since you opened it')).toBeVisible();
    await second.getByRole('link', { name: 'Reload it' }).click();
    await expect(second.getByRole('group', { name: 'Title' }).getByLabel('English')).toHaveValue(
      'For runners, first tab',
    );
    expect(await prisma.contentRevision.count({ where: { object: { type: 'block', key: `notice-${tag}` } } })).toBe(2);
  });

  test('a support agent gets 403 on the editor', async ({ staffPage }) => {
    const { page } = await staffPage(['support-agent']);
    const response = await page.goto('/console/content/blocks/new?slot=hero');
    expect(response?.status()).toBe(403);
  });
});
