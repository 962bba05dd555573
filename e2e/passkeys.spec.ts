/**
 * Passkeys, end to end, with real WebAuthn ceremonies on Chromium's virtual
 * authenticator (e2e/webauthn.ts): added from /account/security and right after
 * registration, listed, announced by mail, used to sign in through autofill and
 * through the button, renamed, deleted; a cloned authenticator refused; forged and
 * replayed responses refused with a message, changing nothing.
 *
 * Chromium's virtual authenticator answers the autofill (conditional mediation)
 * request that /signin makes on load by itself, at once, as if the customer had
 * picked the passkey from the email field's suggestions: no focus or click needed.
 * With no credential it rejects that request at once (a real browser would keep it
 * pending). `openSignInWithoutAutofill` relies on that to stand on /signin without
 * being signed in by autofill.
 */
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';

import type { Page } from '@playwright/test';

import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration, type TestCustomer } from './fixtures';
import {
  addPasskey,
  expectAlert,
  extractLink,
  isServerAction,
  PASSKEY_NAME,
  passkeyItem,
  recordServerActions,
  replay,
  rewriteServerActions,
  ROUND_TRIPS_TIMEOUT,
} from './helpers';
import { extractCode, listMail, waitForMail } from './mailbox';
import {
  addVirtualAuthenticator,
  credentialRequests,
  recordCredentialRequests,
  type VirtualAuthenticator,
} from './webauthn';

// Every test runs several real ceremonies, each a few server round trips.
test.describe.configure({ timeout: 60_000 });

const ADDED_SUBJECT = 'A passkey was added to your account';
const CLONED_SUBJECT = 'We blocked a suspicious sign-in';
const INVALID_MESSAGE = 'That passkey could not be verified. Try again, or use your email.';
const CLONED_MESSAGE =
  'This passkey looks copied from another device, so we refused it for your safety. Sign in with your email and review your passkeys.';

/** A page whose WebAuthn requests are recorded, with a platform authenticator that answers them. */
async function passkeyCapable(page: Page): Promise<VirtualAuthenticator> {
  await recordCredentialRequests(page);
  return addVirtualAuthenticator(page);
}

/** The autofill request of the current document, once it has settled. */
async function conditionalOutcome(page: Page): Promise<string | undefined> {
  const requests = await credentialRequests(page).catch(() => []);
  return requests.find((r) => r.kind === 'get' && r.mediation === 'conditional')?.outcome;
}

/**
 * Gets to /signin (through `navigate`) without autofill signing in: the authenticator
 * holds no credential while the page makes its autofill request, and gets them back after.
 */
async function openSignInWithoutAutofill(
  page: Page,
  authenticator: VirtualAuthenticator,
  navigate: () => Promise<unknown>,
): Promise<void> {
  const held = await authenticator.credentials();
  await authenticator.clearCredentials();
  await navigate();
  await expect(page).toHaveURL(/\/signin(\?|$)/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect
    .poll(() => conditionalOutcome(page), { message: 'the autofill request never settled' })
    .toMatch(/^rejected/);
  for (const credential of held) await authenticator.addCredential(credential);
}

/** The header's "Sign out", staying on /signin afterwards (see openSignInWithoutAutofill). */
async function signOut(page: Page, authenticator: VirtualAuthenticator): Promise<void> {
  await openSignInWithoutAutofill(page, authenticator, () =>
    page.getByRole('button', { name: 'Sign out', exact: true }).click(),
  );
}

async function expectSignedInAs(page: Page, firstName: string): Promise<void> {
  await expect(page).toHaveURL(/\/account$/, { timeout: ROUND_TRIPS_TIMEOUT });
  await expect(page.getByRole('heading', { level: 1, name: `Hello, ${firstName}` })).toBeVisible();
}

function sessionsOf(customer: TestCustomer) {
  return prisma.session.findMany({ where: { userId: customer.id }, select: { authMethod: true } });
}

function passkeysOf(customer: TestCustomer) {
  return prisma.passkey.findMany({
    where: { customerId: customer.id },
    select: { name: true, counter: true, lastUsedAt: true },
  });
}

test.describe('a passkey added on /account/security', () => {
  test('is listed, announced by mail with a "This wasn\'t me" link, and survives sign-out', async ({
    signedInPage: page,
    customer,
  }) => {
    const authenticator = await passkeyCapable(page);
    const before = new Date();
    await page.goto('/account/security');
    await expect(page.getByText('You have no passkey yet.')).toBeVisible();
    await addPasskey(page);

    const item = passkeyItem(page, PASSKEY_NAME);
    await expect(item).toContainText(PASSKEY_NAME);
    await expect(item).toContainText(/Added .+2\d{3}.+ · last used never/);
    await expect(page.getByText('You have no passkey yet.')).toHaveCount(0);
    await expect(page.getByRole('listitem').filter({ hasText: `Passkey "${PASSKEY_NAME}" added` })).toBeVisible();

    expect(await passkeysOf(customer)).toEqual([{ name: PASSKEY_NAME, counter: expect.any(BigInt), lastUsedAt: null }]);
    const credential = await authenticator.credential();
    expect(credential).toMatchObject({ rpId: 'localhost', isResidentCredential: true, userName: customer.email });

    const mail = await waitForMail(customer.email, { subjectIncludes: ADDED_SUBJECT, after: before });
    expect(mail.text).toContain(`A new passkey, "${PASSKEY_NAME}", can now sign in to your account.`);
    expect(mail.text).toContain("This wasn't me");
    expect(extractLink(mail, '/security/not-me')).toMatch(
      /^http:\/\/localhost:\d+\/security\/not-me\?token=[\w-]{43}$/,
    );
    expect(mail.html).toContain('/security/not-me?token=');

    await signOut(page, authenticator);
    expect(await sessionsOf(customer)).toEqual([]);
    expect(await passkeysOf(customer)).toHaveLength(1);
  });

  test('signs in through browser autofill (conditional mediation) on /signin', async ({
    signedInPage: page,
    customer,
  }) => {
    const authenticator = await passkeyCapable(page);
    await addPasskey(page);
    await signOut(page, authenticator);

    // The authenticator holds the passkey again: the autofill request /signin makes on load finds it.
    await page.goto('/signin');
    await expectSignedInAs(page, 'Camille');
    expect(await sessionsOf(customer)).toEqual([{ authMethod: 'passkey' }]);

    await page.goto('/account/security');
    expect(await passkeysOf(customer)).toEqual([
      { name: PASSKEY_NAME, counter: expect.any(BigInt), lastUsedAt: expect.any(Date) },
    ]);
    await expect(passkeyItem(page, PASSKEY_NAME)).not.toContainText('last used never');
    // The session list shows this sign-in with the browser and system it came from.
    await expect(page.getByRole('listitem').filter({ hasText: 'This device' })).toContainText(
      /Chrome \d+ on Windows 10/,
    );
  });

  test('the autofill request is a conditional one, made on load without any click', async ({ signedInPage: page }) => {
    const authenticator = await passkeyCapable(page);
    await addPasskey(page);
    await signOut(page, authenticator);
    // Stop the sign-in at its last step, to read the requests of the /signin document.
    await page.route('**/signin', async (route) => {
      const body = route.request().postData() ?? '';
      if (route.request().method() === 'POST' && body.includes('"ceremonyId"')) return route.abort();
      return route.fallback();
    });
    await page.goto('/signin');
    await expect.poll(() => conditionalOutcome(page)).toBe('resolved');
    expect(await credentialRequests(page)).toEqual([{ kind: 'get', mediation: 'conditional', outcome: 'resolved' }]);
    await expect(page.getByLabel('Email', { exact: true })).toHaveAttribute('autocomplete', /\bwebauthn\b/);
  });

  test('signs in through the "Sign in with a passkey" button', async ({ signedInPage: page, customer }) => {
    const authenticator = await passkeyCapable(page);
    await addPasskey(page);
    // On /signin, the autofill request has already come back empty-handed: only the button's can sign in.
    await signOut(page, authenticator);

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInAs(page, 'Camille');
    expect(await sessionsOf(customer)).toEqual([{ authMethod: 'passkey' }]);
  });

  test('is renamed, then deleted, and then cannot sign in', async ({ signedInPage: page, customer }) => {
    const authenticator = await passkeyCapable(page);
    await addPasskey(page);

    await page.getByRole('button', { name: `Rename passkey ${PASSKEY_NAME}`, exact: true }).click();
    const field = page.getByLabel('Passkey name');
    await expect(field).toBeFocused();
    await field.fill('   ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(field).toHaveAccessibleDescription('Give the passkey a name.');
    await field.fill('Work laptop');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(passkeyItem(page, 'Work laptop')).toBeVisible();
    await expect(passkeyItem(page, PASSKEY_NAME)).toHaveCount(0);
    expect(await passkeysOf(customer)).toMatchObject([{ name: 'Work laptop' }]);
    await page.reload();
    await expect(passkeyItem(page, 'Work laptop')).toContainText('Work laptop');

    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe('Delete the passkey "Work laptop"? You can still sign in with your email.');
      void dialog.accept();
    });
    await waitForHydration(page.getByRole('button', { name: 'Delete passkey Work laptop', exact: true }));
    await page.getByRole('button', { name: 'Delete passkey Work laptop', exact: true }).click();
    await expect(passkeyItem(page, 'Work laptop')).toHaveCount(0);
    await expect(page.getByText('You have no passkey yet.')).toBeVisible();
    expect(await passkeysOf(customer)).toEqual([]);
    expect(await prisma.securityEvent.count({ where: { customerId: customer.id, type: 'passkey.deleted' } })).toBe(1);

    // The device still holds the key; the account no longer knows it.
    expect(await authenticator.credentials()).toHaveLength(1);
    await signOut(page, authenticator);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectAlert(page, INVALID_MESSAGE);
    await expect(page).toHaveURL(/\/signin$/);
    expect(await sessionsOf(customer)).toEqual([]);

    // Autofill offers it too on the next visit, and is refused the same way.
    await page.reload();
    await expectAlert(page, INVALID_MESSAGE);
    expect(await sessionsOf(customer)).toEqual([]);
  });

  test('deleting asks first: cancelling the confirmation keeps it', async ({ signedInPage: page, customer }) => {
    await passkeyCapable(page);
    await addPasskey(page);
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: `Delete passkey ${PASSKEY_NAME}`, exact: true }).click();
    await page.reload();
    await expect(passkeyItem(page, PASSKEY_NAME)).toBeVisible();
    expect(await passkeysOf(customer)).toHaveLength(1);
  });
});

test('a new customer adds a passkey from the offer right after registration', async ({ page, uniqueEmail }) => {
  const authenticator = await passkeyCapable(page);
  const email = uniqueEmail('welcome-passkey');
  await page.goto('/signin');
  const field = page.getByLabel('Email', { exact: true });
  await waitForHydration(field);
  const before = new Date();
  await field.fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  const code = extractCode(await waitForMail(email, { after: before, subjectIncludes: 'Your sign-in link and code' }));
  await waitForHydration(page.getByLabel('Code', { exact: true }));
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await expect(page).toHaveURL(/\/welcome$/);
  await waitForHydration(page.getByLabel('First name'));
  await page.getByLabel('First name').fill('Ada');
  await page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();

  await expect(page).toHaveURL(/\/welcome\/passkey$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in faster next time' })).toBeVisible();
  await waitForHydration(page.getByRole('button', { name: 'Add a passkey' }));
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expectSignedInAs(page, 'Ada');

  const customer = await prisma.user.findUniqueOrThrow({
    where: { email },
    select: { id: true, passkeys: { select: { name: true } } },
  });
  expect(customer.passkeys).toEqual([{ name: PASSKEY_NAME }]);
  expect(await authenticator.credentials()).toMatchObject([
    { rpId: 'localhost', userName: email, userDisplayName: 'Ada' },
  ]);
  await waitForMail(email, { subjectIncludes: ADDED_SUBJECT, after: before });

  // And it signs the new customer in.
  await signOut(page, authenticator);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectSignedInAs(page, 'Ada');
});

test('a cloned authenticator is refused, recorded, and the customer warned by mail', async ({
  signedInPage: page,
  customer,
}) => {
  const authenticator = await passkeyCapable(page);
  await addPasskey(page);
  const credential = await authenticator.credential();
  // Another authenticator with the same key has signed more often than this one: the
  // stored counter is ahead of what this one will send.
  await prisma.passkey.updateMany({
    where: { customerId: customer.id },
    data: { counter: BigInt(credential.signCount + 1000) },
  });
  await signOut(page, authenticator);

  const before = new Date();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectAlert(page, CLONED_MESSAGE);
  await expect(page).toHaveURL(/\/signin$/);
  expect(await sessionsOf(customer)).toEqual([]);

  const events = await prisma.securityEvent.findMany({
    where: { customerId: customer.id, type: 'passkey.cloned' },
    select: { detail: true },
  });
  expect(events).toEqual([{ detail: { name: PASSKEY_NAME } }]);
  const mail = await waitForMail(customer.email, { subjectIncludes: CLONED_SUBJECT, after: before });
  expect(mail.text).toContain(`Someone tried to sign in with your passkey "${PASSKEY_NAME}"`);
  expect(extractLink(mail, '/security/not-me')).toMatch(/\/security\/not-me\?token=[\w-]{43}$/);
  // The stored counter did not move back: the clone stays refused.
  expect((await passkeysOf(customer))[0]).toMatchObject({
    counter: BigInt(credential.signCount + 1000),
    lastUsedAt: null,
  });
});

// ---------------------------------------------------------------------------
// Bad input: forged or replayed WebAuthn responses are refused with a clear
// message, and change nothing (no session, no counter or "last used" update).

type AssertionBody = [
  {
    ceremonyId: string;
    response: {
      id: string;
      rawId: string;
      type: string;
      response: { authenticatorData: string; clientDataJSON: string; signature: string; userHandle?: string };
    };
  },
];

const b64url = {
  decode: (value: string) => Buffer.from(value, 'base64url'),
  encode: (value: Buffer) => value.toString('base64url'),
};
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

/** Signs authenticatorData ‖ SHA-256(clientDataJSON) with the passkey's private key, as the authenticator does. */
function signAssertion(privateKeyPkcs8: string, authenticatorData: Buffer, clientDataJSON: Buffer): Buffer {
  const key = createPrivateKey({ key: Buffer.from(privateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  const data = Buffer.concat([authenticatorData, sha256(clientDataJSON)]);
  return key.asymmetricKeyType === 'ed25519'
    ? sign(null, data, key)
    : sign('sha256', data, { key, dsaEncoding: 'der' });
}

type Forgery = {
  title: string;
  /** Changes the assertion the browser is about to send; `resign` signs the result with the real key. */
  forge: (body: AssertionBody, resign: (authenticatorData: Buffer, clientDataJSON: Buffer) => Buffer) => void;
};

const FORGERIES: Forgery[] = [
  {
    title: 'clientDataJSON from another origin, validly signed',
    forge: ([{ response }], resign) => {
      const clientData = JSON.parse(b64url.decode(response.response.clientDataJSON).toString());
      const forged = Buffer.from(JSON.stringify({ ...clientData, origin: 'http://evil.example' }));
      response.response.clientDataJSON = b64url.encode(forged);
      response.response.signature = b64url.encode(resign(b64url.decode(response.response.authenticatorData), forged));
    },
  },
  {
    title: 'another relying party id (rpIdHash of evil.example), validly signed',
    forge: ([{ response }], resign) => {
      const authenticatorData = b64url.decode(response.response.authenticatorData);
      sha256('evil.example').copy(authenticatorData, 0);
      response.response.authenticatorData = b64url.encode(authenticatorData);
      response.response.signature = b64url.encode(
        resign(authenticatorData, b64url.decode(response.response.clientDataJSON)),
      );
    },
  },
  {
    title: 'a registration clientDataJSON (type webauthn.create), validly signed',
    forge: ([{ response }], resign) => {
      const clientData = JSON.parse(b64url.decode(response.response.clientDataJSON).toString());
      const forged = Buffer.from(JSON.stringify({ ...clientData, type: 'webauthn.create' }));
      response.response.clientDataJSON = b64url.encode(forged);
      response.response.signature = b64url.encode(resign(b64url.decode(response.response.authenticatorData), forged));
    },
  },
  {
    title: 'the user-present flag cleared, validly signed',
    forge: ([{ response }], resign) => {
      const authenticatorData = b64url.decode(response.response.authenticatorData);
      authenticatorData.writeUInt8(authenticatorData.readUInt8(32) & ~0x01, 32);
      response.response.authenticatorData = b64url.encode(authenticatorData);
      response.response.signature = b64url.encode(
        resign(authenticatorData, b64url.decode(response.response.clientDataJSON)),
      );
    },
  },
  {
    title: 'a signature with one byte flipped',
    forge: ([{ response }]) => {
      const signature = b64url.decode(response.response.signature);
      signature.writeUInt8(signature.readUInt8(10) ^ 0xff, 10);
      response.response.signature = b64url.encode(signature);
    },
  },
  {
    title: 'an unknown credential id',
    forge: ([{ response }]) => {
      response.id = response.rawId = b64url.encode(randomBytes(32));
    },
  },
];

function isPasskeySignInFinish(body: string): boolean {
  return body.includes('"ceremonyId"') && body.includes('"signature"');
}

test.describe('a forged passkey sign-in is refused with a message and changes nothing', () => {
  for (const { title, forge } of FORGERIES) {
    test(title, async ({ signedInPage: page, customer }) => {
      const authenticator = await passkeyCapable(page);
      await addPasskey(page);
      await signOut(page, authenticator);
      const credential = await authenticator.credential();
      const stored = await passkeysOf(customer);

      let forged = 0;
      await rewriteServerActions(page, isPasskeySignInFinish, (body) => {
        const parsed = JSON.parse(body) as AssertionBody;
        forge(parsed, (authenticatorData, clientDataJSON) =>
          signAssertion(credential.privateKey, authenticatorData, clientDataJSON),
        );
        forged++;
        return JSON.stringify(parsed);
      });
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expectAlert(page, INVALID_MESSAGE);
      expect(forged).toBe(1);
      await expect(page).toHaveURL(/\/signin$/);
      expect(await sessionsOf(customer)).toEqual([]);
      expect(await passkeysOf(customer)).toEqual(stored);

      // The same passkey, unaltered, still works: the refusal was about the forgery alone.
      await page.unrouteAll();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await expectSignedInAs(page, 'Camille');
    });
  }

  test("the same response re-signed with the passkey's key is accepted (control: each forgery above differs by its defect alone)", async ({
    signedInPage: page,
    customer,
  }) => {
    const authenticator = await passkeyCapable(page);
    await addPasskey(page);
    await signOut(page, authenticator);
    const credential = await authenticator.credential();
    await rewriteServerActions(page, isPasskeySignInFinish, (body) => {
      const [{ response }] = JSON.parse(body) as AssertionBody;
      const signature = signAssertion(
        credential.privateKey,
        b64url.decode(response.response.authenticatorData),
        b64url.decode(response.response.clientDataJSON),
      );
      return body.replace(response.response.signature, b64url.encode(signature));
    });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInAs(page, 'Camille');
    expect(await sessionsOf(customer)).toEqual([{ authMethod: 'passkey' }]);
  });
});

test('options naming another relying party id: the browser refuses before any signature, nothing reaches the server', async ({
  signedInPage: page,
  customer,
}) => {
  // The only way to get a validly signed assertion for another RP id is to forge one
  // (see "another relying party id" above): a browser refuses an rpId that is not its
  // own origin's domain, so the authenticator never signs.
  const authenticator = await passkeyCapable(page);
  await addPasskey(page);
  await signOut(page, authenticator);
  await page.route('**/signin', async (route) => {
    const request = route.request();
    // The options action: no argument, or the page's bound `next` (undefined without one).
    if (!isServerAction(request) || !['[]', '["$undefined"]'].includes(request.postData() ?? '')) {
      return route.fallback();
    }
    const response = await route.fetch();
    const body = await response.text();
    expect(body).toContain('"rpId":"localhost"');
    await route.fulfill({ response, body: body.replace('"rpId":"localhost"', '"rpId":"evil.example"') });
  });
  const finishes = recordServerActions(page, isPasskeySignInFinish);
  const { signCount } = await authenticator.credential();

  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectAlert(page, 'The passkey request was cancelled. Try again, or use your email.');
  expect((await credentialRequests(page)).at(-1)).toEqual({
    kind: 'get',
    mediation: undefined,
    outcome: 'rejected: SecurityError',
  });
  expect(finishes).toEqual([]);
  expect(await sessionsOf(customer)).toEqual([]);
  // The authenticator never signed.
  expect((await authenticator.credential()).signCount).toBe(signCount);
});

test('a replayed passkey sign-in is refused: each challenge works once', async ({ signedInPage: page, customer }) => {
  const authenticator = await passkeyCapable(page);
  await addPasskey(page);
  await signOut(page, authenticator);

  const finishes = recordServerActions(page, isPasskeySignInFinish);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectSignedInAs(page, 'Camille');
  expect(finishes).toHaveLength(1);
  const original = finishes[0]!;
  const afterSignIn = await passkeysOf(customer);
  expect(await sessionsOf(customer)).toEqual([{ authMethod: 'passkey' }]);

  // Sent again as it was, from this site: refused, no second session.
  const replayed = await replay(page, original, new URL(page.url()).origin);
  expect(replayed.status()).toBe(200);
  expect(await replayed.text()).toContain('"message":"passkey.expired"');
  expect(await sessionsOf(customer)).toEqual([{ authMethod: 'passkey' }]);

  // Sent by the page in place of a new ceremony's response: refused with a message.
  await signOut(page, authenticator);
  await rewriteServerActions(page, isPasskeySignInFinish, () => original.body.toString());
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectAlert(page, 'The passkey request took too long. Try again.');
  expect(await sessionsOf(customer)).toEqual([]);
  expect(await passkeysOf(customer)).toEqual(afterSignIn);
});

test.describe('a forged passkey registration is refused and stores nothing', () => {
  const REGISTRATION_FORGERIES: Array<{
    title: string;
    forge: (response: { clientDataJSON: string; attestationObject: string; authenticatorData?: string }) => void;
  }> = [
    {
      title: 'clientDataJSON from another origin',
      forge: (response) => {
        const clientData = JSON.parse(b64url.decode(response.clientDataJSON).toString());
        response.clientDataJSON = b64url.encode(
          Buffer.from(JSON.stringify({ ...clientData, origin: 'http://evil.example' })),
        );
      },
    },
    {
      title: 'another relying party id (rpIdHash of evil.example)',
      forge: (response) => {
        // Attestation "none" signs nothing: the rpIdHash is swapped inside the CBOR as it is.
        const swap = (value: string) => {
          const bytes = b64url.decode(value);
          const at = bytes.indexOf(sha256('localhost'));
          expect(at, 'rpIdHash of localhost in the attestation').toBeGreaterThanOrEqual(0);
          sha256('evil.example').copy(bytes, at);
          return b64url.encode(bytes);
        };
        response.attestationObject = swap(response.attestationObject);
        if (response.authenticatorData) response.authenticatorData = swap(response.authenticatorData);
      },
    },
  ];

  for (const { title, forge } of REGISTRATION_FORGERIES) {
    test(title, async ({ signedInPage: page, customer }) => {
      await passkeyCapable(page);
      const before = new Date();
      await rewriteServerActions(
        page,
        (body) => body.includes('"ceremonyId"') && body.includes('"attestationObject"'),
        (body) => {
          const parsed = JSON.parse(body) as [{ response: { response: Parameters<typeof forge>[0] } }];
          forge(parsed[0].response.response);
          return JSON.stringify(parsed);
        },
      );
      await page.goto('/account/security');
      await waitForHydration(page.getByRole('button', { name: 'Add a passkey' }));
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await expectAlert(page, INVALID_MESSAGE);
      expect(await passkeysOf(customer)).toEqual([]);
      expect(await prisma.securityEvent.count({ where: { customerId: customer.id } })).toBe(0);
      await page.reload();
      await expect(page.getByText('You have no passkey yet.')).toBeVisible();
      expect(
        (await listMail(customer.email)).filter((mail) => Date.parse(mail.receivedAt) >= before.getTime()),
      ).toEqual([]);
    });
  }
});
