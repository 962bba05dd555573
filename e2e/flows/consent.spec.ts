import { expect, test } from './fixtures';

test('a customer allows an optional purpose, then withdraws it; each answer gets its receipt', async ({
  page,
  customer,
  privacy,
}) => {
  await privacy.goto();
  await privacy.allow('Marketing emails');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Withdraw: Marketing emails' })).toBeVisible();

  await privacy.withdraw('Marketing emails');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Allow: Marketing emails' })).toBeVisible();
  // The address in the message finds the account on the deployment when this fails.
  for (const answer of ['allowed', 'withdrawn']) {
    await expect(
      privacy.history.getByText(`Marketing emails: ${answer} (version 1)`),
      `the receipt of ${customer.email}`,
    ).toBeVisible();
  }
});
