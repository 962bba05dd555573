import { expect, test } from './fixtures';

test('a customer deletes their account; the address then registers as a new customer', async ({
  customer,
  privacy,
  account,
  signIn,
  page,
}) => {
  await privacy.goto();
  await privacy.deleteAccount(customer.email);
  await account.expectSignedOut();

  await signIn.goto();
  await signIn.signInWithCode(customer.email);
  // A new customer: the first-name step again.
  await expect(page).toHaveURL(/\/welcome$/);
});
