import { test } from './fixtures';

test('a registered customer signs out and signs in again with the emailed code', async ({
  customer,
  signIn,
  account,
}) => {
  await account.signOut();
  await account.expectSignedOut();

  await signIn.goto();
  await signIn.signInWithCode(customer.email);
  // Known now: straight to the account, no first-name step.
  await account.expectGreeting(customer.firstName);
});
