import { expect, test } from './fixtures';

test('a new customer registers with the emailed code, gives a first name and accepts the terms', async ({
  page,
  email,
  signIn,
  welcome,
  account,
  privacy,
}) => {
  await signIn.goto();
  await signIn.signInWithCode(email);
  await welcome.complete('Grace');
  await welcome.skipPasskey();
  await account.expectGreeting('Grace');
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();

  await privacy.goto();
  await expect(privacy.history.getByText('Terms of use and privacy notice: allowed (version 1)')).toBeVisible();
});
