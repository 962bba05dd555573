/**
 * "Who looked at your data" names the reads of personalization data: the
 * site's own decisions (accessor type personalization) and an app's read of
 * preferences and signals, in English and French.
 * docs/decisions/035-personalization.md §1, "Export, deletion, who looked at my data"
 */
import { prisma } from '../server/platform/db';
import { expect, test } from './fixtures';

test.describe.configure({ timeout: 60_000 });

test('the access list labels personalization reads and the preferences and signals fields', async ({
  signedInPage: page,
  customer,
}) => {
  await prisma.dataAccessLog.createMany({
    data: [
      {
        customerId: customer.id,
        accessorType: 'personalization',
        accessorId: 'portal',
        accessorName: 'Accord',
        fields: ['preferences', 'signals'],
        purpose: 'personalization',
        reason: 'home page',
      },
    ],
  });
  await page.goto('/account/privacy');
  await expect(
    page.getByText(
      'Personalization · Accord read preferences (interests, store, sizes, channels) and activity signals (categories viewed, cart, orders)',
    ),
  ).toBeVisible();

  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Confidentialité' })).toBeVisible();
  await expect(page.getByText(/^Personnalisation · Accord/)).toContainText(
    "signaux d'activité (catégories vues, panier, commandes)",
  );
});
