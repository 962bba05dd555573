/**
 * Bad input, from the browser and from clients that skip the browser's checks:
 * field errors and nothing written or sent; cross-site posts refused; broken
 * links and garbage never answered with a server error.
 */

import type { Page } from '@playwright/test';

import { CLIENT_IP_HEADER } from '../lib/client-ip-header';
import { prisma } from '../server/platform/db';
import { expect, test, waitForHydration } from './fixtures';
import { captureServerAction, isServerAction, replay, rewriteServerActions } from './helpers';
import { listMail, waitForMail } from './mailbox';

const BAD_EMAILS = [
  { label: 'no @', email: 'not-an-email', error: 'Enter an email address like name@example.com.' },
  { label: 'no top-level domain', email: 'a@b', error: 'Enter an email address like name@example.com.' },
  {
    label: 'a control character',
    email: 'a\u0007@example.com',
    error: 'Enter an email address like name@example.com.',
  },
  {
    label: 'an escape sequence',
    email: 'a\u001b[31m@example.com',
    error: 'Enter an email address like name@example.com.',
  },
  {
    label: '262 characters',
    email: `${'a'.repeat(250)}@example.com`,
    error: 'An email address can be at most 254 characters long.',
  },
  { label: 'only spaces', email: '   ', error: 'Enter your email address.' },
];

const BAD_FIRST_NAMES = [
  { label: '300 characters', firstName: 'A'.repeat(300), error: 'A first name can be at most 100 characters long.' },
  { label: 'HTML', firstName: '<script>alert(1)</script>', error: 'Use letters, spaces, hyphens or apostrophes only.' },
  { label: 'a control character', firstName: 'Ada\u0007', error: 'Use letters, spaces, hyphens or apostrophes only.' },
  {
    label: 'an escape sequence',
    firstName: 'Ada\u001b[2J',
    error: 'Use letters, spaces, hyphens or apostrophes only.',
  },
];

/** No mail reached the sink for the address (an empty one can receive none, and the sink reads it as "everyone"). */
async function expectNoMailTo(address: string): Promise<void> {
  if (address.trim() === '') return;
  expect(await listMail(address.trim()), `mail to ${JSON.stringify(address)}`).toEqual([]);
}

test.describe('malformed emails get a field error and no mail', () => {
  test('typed in the form', async ({ page }) => {
    await page.goto('/signin');
    const field = page.getByLabel('Email', { exact: true });
    await waitForHydration(field);
    for (const { label, email, error } of BAD_EMAILS) {
      await test.step(label, async () => {
        await field.fill(email);
        await page.getByRole('button', { name: 'Continue' }).click();
        await expect(field).toHaveAccessibleDescription(error);
        await expect(field).toHaveAttribute('aria-invalid', 'true');
        await expect(page).toHaveURL(/\/signin$/);
        await expectNoMailTo(email);
      });
    }
  });

  test("sent past the browser's checks", async ({ page, uniqueEmail }) => {
    const placeholder = uniqueEmail('placeholder');
    let sending = '';
    await rewriteServerActions(
      page,
      (body) => body.includes(JSON.stringify(placeholder)),
      (body) => body.replace(JSON.stringify(placeholder), JSON.stringify(sending)),
    );
    await page.goto('/signin');
    const field = page.getByLabel('Email', { exact: true });
    await waitForHydration(field);
    for (const { label, email, error } of BAD_EMAILS) {
      await test.step(label, async () => {
        sending = email;
        await field.fill(placeholder);
        const answered = page.waitForResponse((response) => isServerAction(response.request()));
        await page.getByRole('button', { name: 'Continue' }).click();
        expect((await answered).status()).toBe(200);
        await expect(field).toHaveAccessibleDescription(error);
        await expect(page).toHaveURL(/\/signin$/);
        // The action answered before any mail could have gone: nothing was stored or sent.
        expect(
          await prisma.signInChallenge.count({ where: { email: { in: [email.trim().toLowerCase(), placeholder] } } }),
        ).toBe(0);
        await expectNoMailTo(email);
      });
    }
    await expectNoMailTo(placeholder);
  });
});

test('bad first names get a field error and nothing is written', async ({ page, createCustomer, signInAs }) => {
  const customer = await createCustomer({ onboarded: false, firstName: null });
  await signInAs(page.context(), customer.id);
  page.on('dialog', (dialog) => {
    throw new Error(`A dialog opened: ${dialog.message()}`);
  });
  let sending = '';
  await rewriteServerActions(
    page,
    (body) => body.includes(JSON.stringify('Ada')),
    (body) => body.replace(JSON.stringify('Ada'), JSON.stringify(sending)),
  );
  await page.goto('/welcome');
  const field = page.getByLabel('First name');
  await waitForHydration(field);
  await page.getByRole('checkbox', { name: /I accept the terms of use/ }).check();

  for (const { label, firstName, error } of BAD_FIRST_NAMES) {
    await test.step(`${label}, typed in the form`, async () => {
      await field.fill(firstName);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(field).toHaveAccessibleDescription(error);
    });
    await test.step(`${label}, sent past the browser's checks`, async () => {
      sending = firstName;
      await field.fill('Ada');
      const answered = page.waitForResponse((response) => isServerAction(response.request()));
      await page.getByRole('button', { name: 'Continue' }).click();
      expect((await answered).status()).toBe(200);
      await expect(field).toHaveAccessibleDescription(error);
      await expect(page).toHaveURL(/\/welcome$/);
    });
  }

  expect(
    await prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { firstName: true, onboardedAt: true } }),
  ).toEqual({
    firstName: null,
    onboardedAt: null,
  });
  expect(await prisma.consentReceipt.count({ where: { customerId: customer.id } })).toBe(0);
  await expect(page.locator('script', { hasText: 'alert(1)' })).toHaveCount(0);
});

test.describe('server actions posted from elsewhere are refused with 403', () => {
  test('the sign-in request: no Origin, a foreign Origin, writes nothing', async ({ page, uniqueEmail }) => {
    const email = uniqueEmail('csrf');
    await page.goto('/signin');
    await waitForHydration(page.getByLabel('Email', { exact: true }));
    // The passkey autofill's own action may start meanwhile: the sign-in request is the one with the email.
    const action = await captureServerAction(
      page,
      async () => {
        await page.getByLabel('Email', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'Continue' }).click();
      },
      (body) => body.includes(email),
    );
    expect(action.body.toString()).toContain(email);

    const own = new URL(page.url());
    const otherPort = `${own.protocol}//${own.hostname}:${Number(own.port) + 1}`;
    for (const origin of [null, 'https://evil.example', 'null', `${own.origin}.evil.example`, otherPort]) {
      const response = await replay(page, action, origin);
      expect(response.status(), `Origin: ${origin ?? '(none)'}`).toBe(403);
      expect(await response.text()).toContain('Forbidden');
    }
    expect(await prisma.signInChallenge.count({ where: { email } })).toBe(0);
    await expectNoMailTo(email);

    // The same request from this site goes through: the 403s were about the Origin alone.
    const before = new Date();
    const allowed = await replay(page, action, new URL(page.url()).origin);
    expect(allowed.status()).toBeLessThan(400);
    expect(await prisma.signInChallenge.count({ where: { email } })).toBe(1);
    await waitForMail(email, { after: before, subjectIncludes: 'Your sign-in link and code' });
  });

  test("a signed-in customer's language change: refused from elsewhere, nothing saved", async ({
    signedInPage: page,
    customer,
  }) => {
    await page.goto('/account');
    // Hydrated: before that the switcher posts as a plain form, without the Next-Action header.
    await waitForHydration(page.getByRole('button', { name: 'Français' }));
    const action = await captureServerAction(page, () => page.getByRole('button', { name: 'Français' }).click());

    for (const origin of [null, 'https://evil.example']) {
      const response = await replay(page, action, origin);
      expect(response.status(), `Origin: ${origin ?? '(none)'}`).toBe(403);
    }
    const locale = () => prisma.user.findUniqueOrThrow({ where: { id: customer.id }, select: { locale: true } });
    expect(await locale()).toEqual({ locale: 'en' });

    const allowed = await replay(page, action, new URL(page.url()).origin);
    expect(allowed.status()).toBeLessThan(400);
    expect(await locale()).toEqual({ locale: 'fr' });
  });
});

// scripts/client-address.ts believes only TRUSTED_PROXIES (none here) and drops any copy of its own header: a client cannot
// choose its own per-IP bucket (sendPerIp, verifyPerIp) or the ipPrefix of its session.
test('a client-chosen X-Forwarded-For does not pick the per-IP rate-limit bucket', async ({ page, uniqueEmail }) => {
  const email = uniqueEmail('spoofed-ip');
  const spoofed = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
  await page.goto('/signin');
  await waitForHydration(page.getByLabel('Email', { exact: true }));
  const action = await captureServerAction(
    page,
    async () => {
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
    },
    (body) => body.includes(email),
  );
  const response = await replay(page, action, new URL(page.url()).origin, {
    'x-forwarded-for': spoofed,
    [CLIENT_IP_HEADER]: spoofed,
    forwarded: `for=${spoofed}`,
  });
  expect(response.status()).toBeLessThan(400);
  expect(await prisma.signInChallenge.count({ where: { email } })).toBe(1);
  const buckets = await prisma.$queryRaw<
    Array<{ key: string }>
  >`SELECT key FROM rate_limits WHERE key = ${`send:ip:${spoofed}`}`;
  expect(buckets).toEqual([]);
});

test.describe('broken sign-in links show "This link no longer works"', () => {
  async function expectDeadLinkPage(page: Page, path: string): Promise<void> {
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(500);
    await expect(page.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0);
  }

  test('a link used once', async ({ page, customer, createChallenge }) => {
    const challenge = await createChallenge({ email: customer.email });
    await page.goto(challenge.link);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible();
    await expectDeadLinkPage(page, challenge.link);
  });

  test('an expired link', async ({ page, createChallenge }) => {
    const challenge = await createChallenge({ expired: true });
    await expectDeadLinkPage(page, challenge.link);
  });

  test('malformed and unknown tokens', async ({ page }) => {
    const tokens = [
      '',
      'abc',
      'A'.repeat(42),
      'A'.repeat(44),
      '!'.repeat(43),
      'A'.repeat(43), // well-formed, unknown
      '<script>alert(1)</script>',
      '%00',
      '%E0%A4%A',
      '..%2F..%2Fetc%2Fpasswd',
      "' OR 1=1 --",
      'x'.repeat(4000),
    ];
    const paths = [
      ...tokens.map((token) => `/signin/confirm?token=${token}`),
      '/signin/confirm',
      `/signin/confirm?token=${'A'.repeat(43)}&token=${'B'.repeat(43)}`,
    ];
    await Promise.all(
      paths.map(async (path) => {
        const response = await page.request.get(path);
        expect(response.status(), path).toBeLessThan(500);
        const html = await response.text();
        expect(html, path).toMatch(/<h1[^>]*>This link no longer works<\/h1>/);
        expect(html, path).not.toContain('name="token"');
      }),
    );
    await expectDeadLinkPage(page, `/signin/confirm?token=${'A'.repeat(43)}`);
  });

  test('a token tampered with in the confirmation form', async ({ page, createChallenge }) => {
    const challenge = await createChallenge();
    await page.goto(challenge.link);
    await page.locator('input[name="token"]').evaluate((input: HTMLInputElement) => {
      input.value = 'tampered';
    });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'This link no longer works' })).toBeVisible();
    expect(
      await prisma.signInChallenge.findUniqueOrThrow({ where: { id: challenge.id }, select: { linkUsedAt: true } }),
    ).toEqual({
      linkUsedAt: null,
    });
  });
});

test.describe('garbage never gets a server error', () => {
  const GARBAGE = [
    'abcdef',
    '12345',
    '1234567',
    '١٢٣٤٥٦', // Arabic-Indic digits
    '12 34 56 78',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '%s%s%n',
    '\u0000\u0000\u0000',
    '🔑🔑🔑🔑🔑🔑',
    ' ',
  ];

  test('in the code field, typed and sent past the browser', async ({ page, createChallenge }) => {
    const statuses: Array<{ url: string; status: number }> = [];
    page.on('response', (response) => statuses.push({ url: response.url(), status: response.status() }));
    const challenge = await createChallenge({ context: page.context() });
    await page.goto('/signin/code');
    const field = page.getByLabel('Code', { exact: true });
    await waitForHydration(field);

    let actionsSent = 0;
    page.on('request', (request) => {
      if (isServerAction(request)) actionsSent++;
    });
    for (const garbage of GARBAGE) {
      await field.fill(garbage);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(field).toHaveAttribute('aria-invalid', 'true');
    }
    expect(actionsSent).toBe(0);

    // Past the browser's checks: strings, numbers, objects, a huge string, posted
    // as the form would post them (same action, same cookies, same Origin).
    const action = await captureServerAction(page, async () => {
      await field.fill('000000');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    });
    const template = action.body.toString();
    expect(template).toContain('"000000"');
    const sent = [
      ...GARBAGE.map((g) => JSON.stringify(g)),
      '123456',
      'null',
      'true',
      '["123456"]',
      '{"$gt":""}',
      JSON.stringify('9'.repeat(100_000)),
    ];
    await Promise.all(
      sent.map(async (code) => {
        const response = await replay(
          page,
          { ...action, body: Buffer.from(template.replace('"000000"', code)) },
          new URL(page.url()).origin,
        );
        statuses.push({ url: `code ${code.slice(0, 40)}`, status: response.status() });
        expect(await response.text(), `code ${code.slice(0, 40)}`).toContain('"fieldErrors":{"code":');
      }),
    );

    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
    // None of it counted as a wrong code, and none of it signed anyone in.
    expect(
      await prisma.signInChallenge.findUniqueOrThrow({
        where: { id: challenge.id },
        select: { failedAttempts: true, codeUsedAt: true },
      }),
    ).toEqual({ failedAttempts: 0, codeUsedAt: null });
  });

  test('in query strings, cookies and headers', async ({ page, signInAs, customer, baseURL }) => {
    // About 200 requests: on a loaded 2-core machine they need more than the default 30 s.
    test.slow();
    const paths = [
      '/',
      '/signin',
      '/signin/code',
      '/signin/confirm',
      '/welcome',
      '/account',
      '/account/profile',
      '/legal/terms',
    ];
    const queries = [
      '?callbackUrl=https://evil.example',
      '?callbackUrl=//evil.example',
      '?callbackUrl=javascript:alert(1)',
      `?callbackUrl=${'a'.repeat(3000)}`,
      '?callbackUrl=%ZZ',
      '?%',
      '?token=%E0%A4%A',
      '?a[]=1&a[]=2&a[b]=3',
      '?__proto__[x]=1&constructor[prototype][x]=1',
      '?error=<script>alert(1)</script>',
      '?x=%00%01%02%1b',
      `?${'&'.repeat(500)}`,
    ];
    const statuses: Array<{ url: string; status: number }> = [];
    const check = async (url: string, headers?: Record<string, string>) => {
      const get = () => page.request.get(url, { headers, maxRedirects: 0 });
      // A kept-alive socket the server closes just as it is reused resets: that is
      // the transport, not an answer. Once more on a fresh socket.
      const response = await get().catch((error: Error) => {
        if (/ECONNRESET|socket hang up/.test(error.message)) return get();
        throw error;
      });
      statuses.push({ url: url.slice(0, 120), status: response.status() });
      const location = response.headers().location;
      if (location)
        expect(new URL(location, baseURL).host, `${url} redirects to ${location}`).toBe(new URL(baseURL!).host);
    };

    const urls = paths.flatMap((path) => queries.map((query) => path + query));
    for (const signedIn of [false, true]) {
      if (signedIn) await signInAs(page.context(), customer.id);
      for (let i = 0; i < urls.length; i += 8) await Promise.all(urls.slice(i, i + 8).map((url) => check(url)));
    }
    await Promise.all([
      ...['*;q=abc,,,;;', 'x'.repeat(2000), 'fr-FR;q=2,en;q=-1', 'zz-ZZ, *'].map((acceptLanguage) =>
        check('/signin', { 'accept-language': acceptLanguage }),
      ),
      ...[
        'NEXT_LOCALE=../../etc/passwd',
        'accord.signin=not-a-uuid',
        'accord.signin=00000000-0000-0000-0000-000000000000',
        'authjs.session-token=%ZZ',
      ].flatMap((cookie) => [check('/signin/code', { cookie }), check('/account', { cookie })]),
    ]);
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
  });

  test('a signed-in customer cannot be sent off-site after sign-in', async ({ signedInPage: page, baseURL }) => {
    for (const target of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/%09/evil.example',
    ]) {
      await page.goto(`/signin?callbackUrl=${encodeURIComponent(target)}`);
      expect(new URL(page.url()).host, target).toBe(new URL(baseURL!).host);
    }
  });
});
