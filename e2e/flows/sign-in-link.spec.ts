import { test } from './fixtures';

test('a registered customer signs in again with the emailed link', async ({ customer, signIn, account }) => {
  await account.signOut();
  await account.expectSignedOut();

  await signIn.goto();
  await signIn.signInWithLink(customer.email);
  await account.expectGreeting(customer.firstName);
});
