import { PASSKEY_NAME } from '../pages';
import { expect, test } from './fixtures';

// Several WebAuthn ceremonies, each a few round trips.
test.describe.configure({ timeout: 60_000 });

test('a customer adds a passkey, signs out, and signs in with it', async ({
  baseURL,
  authenticator,
  customer,
  security,
  signIn,
  account,
}) => {
  await security.addPasskey();
  expect(await authenticator.credential()).toMatchObject({
    rpId: new URL(baseURL!).hostname,
    isResidentCredential: true,
  });

  // On /signin, signed out, the autofill request has come back empty-handed: only the button's can sign in.
  await signIn.openWithoutAutofill(authenticator, () => account.signOut());
  await signIn.signInWithPasskey();
  await account.expectGreeting(customer.firstName);

  await security.goto();
  await expect(security.passkeyItem(PASSKEY_NAME)).not.toContainText('last used never');
});
