/**
 * The /account home's content (ADR 035 §5): a block chosen by a rule, its stored image size
 * (no layout shift), "why am I seeing this?" opened with the keyboard, the call to action
 * through the counted redirect, and the line shown without the personalization grant.
 * #14's full scenario is e2e/personalization.spec.ts.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { Page } from '@playwright/test';
import sharp from 'sharp';

import { setConsent } from '@/server/consent/consent';

import { prisma } from '../server/platform/db';
import { expect, test } from './fixtures';
import { seriousViolations } from './helpers';

// A rule no other spec's customer meets: this block shows to this spec's customers only.
const RULE = { interests: { $all: ['kids', 'nutrition'] }, favouriteStore: { $eq: 'montreal-centre' } };

type Published = { objectId: string; revisionId: string; title: string };

async function publishCrossSell(): Promise<Published> {
  const bytes = await sharp({ create: { width: 480, height: 240, channels: 3, background: '#3b82f6' } })
    .webp()
    .toBuffer();
  const sha = createHash('sha256').update(bytes).digest('hex');
  await prisma.$executeRaw`
    INSERT INTO content_images (id, sha256, width, height, size, bytes, uploaded_by)
    VALUES (${randomUUID()}::uuid, ${sha}, 480, 240, ${bytes.length}, ${bytes}, 'e2e')
    ON CONFLICT (sha256) DO NOTHING`;
  const objectId = randomUUID();
  const revisionId = randomUUID();
  const title = `Kids' energy bars ${objectId.slice(0, 6)}`;
  const body = {
    title: { en: title, fr: title },
    text: { en: 'Line one <b>not bold</b>\nLine two', fr: 'Ligne un\nLigne deux' },
    image: { id: sha, alt: { en: 'Energy bars', fr: 'Barres énergétiques' } },
    cta: { label: { en: 'See the bars', fr: 'Voir les barres' }, url: '/account/privacy' },
    startsAt: null,
    endsAt: null,
    priority: 10,
    generic: false,
    rule: RULE,
  };
  await prisma.$transaction([
    prisma.$executeRaw`INSERT INTO content_objects (id, type, key, slot)
      VALUES (${objectId}::uuid, 'block', ${`e2e-home-${objectId.slice(0, 8)}`}, 'cross-sell')`,
    prisma.$executeRaw`INSERT INTO content_revisions (id, object_id, number, body, author_label)
      VALUES (${revisionId}::uuid, ${objectId}::uuid, 1, ${JSON.stringify(body)}::jsonb, 'e2e')`,
    prisma.$executeRaw`UPDATE content_objects SET live_revision_id = ${revisionId}::uuid WHERE id = ${objectId}::uuid`,
    prisma.$executeRaw`UPDATE content_state SET version = version + 1, updated_at = now() WHERE id = 1`,
  ]);
  return { objectId, revisionId, title };
}

async function unpublish(block: Published) {
  await prisma.$transaction([
    prisma.$executeRaw`UPDATE content_objects SET live_revision_id = NULL WHERE id = ${block.objectId}::uuid`,
    prisma.$executeRaw`UPDATE content_state SET version = version + 1, updated_at = now() WHERE id = 1`,
  ]);
}

async function prepare(customerId: string, granted: boolean) {
  for (const [name, value] of [
    ['interest', 'kids'],
    ['interest', 'nutrition'],
    ['favouriteStore', 'montreal-centre'],
  ]) {
    await prisma.$executeRaw`INSERT INTO customer_preferences (customer_id, name, value, channel)
      VALUES (${customerId}::uuid, ${name}, ${value}, 'portal')`;
  }
  const purpose = await prisma.consentPurpose.findUniqueOrThrow({ where: { key: 'personalization' } });
  const result = await setConsent(
    customerId,
    { purposeKey: 'personalization', version: purpose.currentVersion, granted },
    { channel: 'portal', collectionMethod: 'e2e' },
  );
  expect(result.ok).toBe(true);
}

test('a block chosen for the customer: sized image, why, counted link, no serious axe violation', async ({
  signedInPage: page,
  customer,
}) => {
  await prepare(customer.id, true);
  // Published by this test alone (hooks run once per worker): one block meets the rule.
  const block = await publishCrossSell();
  try {
    await seeTheBlock(page, block);
  } finally {
    await unpublish(block);
  }
});

async function seeTheBlock(page: Page, block: Published) {
  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Also for you' });
  await expect(section.getByRole('heading', { name: block.title })).toBeVisible();
  // Text as typed: markup shows as text, line breaks kept.
  await expect(section.getByText('Line one <b>not bold</b>')).toBeVisible();
  expect(await section.locator('p.whitespace-pre-line').evaluate((p) => p.textContent)).toBe(
    'Line one <b>not bold</b>\nLine two',
  );

  const image = section.getByRole('img', { name: 'Energy bars' });
  await expect(image).toHaveAttribute('width', '480');
  await expect(image).toHaveAttribute('height', '240');
  await expect(image).toHaveAttribute('loading', 'lazy');
  await image.scrollIntoViewIfNeeded();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(480);
  const shift = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>)
            if (!entry.hadRecentInput) total += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 300);
      }),
  );
  expect(shift).toBeLessThan(0.01);

  // "Why am I seeing this?" opens from the keyboard and says which conditions held.
  const why = section.getByText('Why am I seeing this?');
  await why.focus();
  await page.keyboard.press('Enter');
  await expect(section.getByText('you are interested in Kids and Sports nutrition')).toBeVisible();
  await expect(section.getByText('your favourite store is Montréal Centre')).toBeVisible();
  await expect(section.getByRole('link', { name: 'preferences' })).toHaveAttribute('href', '/account/preferences');
  await expect(section.getByRole('link', { name: 'personalization consent' })).toHaveAttribute(
    'href',
    '/account/privacy#consents',
  );
  expect(await seriousViolations(page)).toEqual([]);

  // The call to action goes through the counted redirect to the stored URL.
  const cta = section.getByRole('link', { name: 'See the bars' });
  await expect(cta).toHaveAttribute('href', `/account/go/${block.revisionId}?s=cross-sell&g=personalized`);
  await cta.click();
  await expect(page).toHaveURL(/\/account\/privacy$/);
  await expect
    .poll(
      async () =>
        (
          await prisma.$queryRaw<Array<{ clicks: number }>>`SELECT coalesce(sum(clicks), 0)::int AS clicks
            FROM content_stats WHERE revision_id = ${block.revisionId}::uuid AND "group" = 'personalized'`
        )[0]!.clicks,
      { timeout: 20_000 },
    )
    .toBe(1);
}

test('without the grant: generic content only and one line saying personalization is off', async ({
  signedInPage: page,
  customer,
}) => {
  await prepare(customer.id, false);
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: /Kids' energy bars/ })).toHaveCount(0);
  const off = page.getByText('Personalization is off');
  await expect(off).toBeVisible();
  await expect(page.getByRole('link', { name: 'Change it in your privacy settings' })).toHaveAttribute(
    'href',
    '/account/privacy#consents',
  );
});

test('the go route: 404 for what is not a block revision, sign-in first without a session', async ({
  signedInPage: page,
  browser,
}) => {
  expect((await page.request.get(`/account/go/${randomUUID()}?g=personalized`, { maxRedirects: 0 })).status()).toBe(
    404,
  );
  expect((await page.request.get('/account/go/not-an-id', { maxRedirects: 0 })).status()).toBe(404);
  const anonymous = await browser.newContext();
  const res = await anonymous.request.get(`/account/go/${randomUUID()}?g=personalized`, { maxRedirects: 0 });
  expect(res.status()).toBeGreaterThanOrEqual(300);
  expect(res.status()).toBeLessThan(400);
  expect(res.headers().location).toContain('/signin');
  await anonymous.close();
});
