import { expect, test } from './fixtures';

test('a customer edits their name; the change is kept and listed in the history', async ({
  page,
  customer,
  profile,
  account,
}) => {
  await profile.goto();
  await expect(profile.details.getByLabel('First name')).toHaveValue(customer.firstName);
  await profile.editPersonalDetails({ firstName: 'Zoé', lastName: "D'Arcy-Lefèvre" });

  await page.reload();
  await expect(profile.details.getByLabel('First name')).toHaveValue('Zoé');
  await expect(profile.details.getByLabel('Last name')).toHaveValue("D'Arcy-Lefèvre");
  await expect(profile.history).toContainText('Zoé');

  await account.goto();
  await account.expectGreeting('Zoé');
});
