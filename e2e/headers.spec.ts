/**
 * Security headers (next.config.mjs, and proxy.ts for each page's nonce) on pages, API
 * routes and refusals: on pages a Content-Security-Policy with a fresh nonce per response
 * that every script of the page carries, on API routes one that allows nothing; no framing,
 * a strict referrer policy, no MIME sniffing, HSTS (the e2e app runs with
 * NODE_ENV=production); the session cookie's flags; and the app working under its CSP
 * (no violation reported during a whole sign-in).
 */
import type { APIResponse, Page } from '@playwright/test';

import { expect, SESSION_COOKIE, test, waitForHydration } from './fixtures';
import { isServerAction, ROUND_TRIPS_TIMEOUT } from './helpers';
import { extractCode, waitForMail } from './mailbox';

/** The CSP as directive name → values. */
function parseCsp(header: string | undefined): Map<string, string[]> {
  expect(header, 'Content-Security-Policy header').toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

function nonceOf(csp: Map<string, string[]>): string {
  const nonces = (csp.get('script-src') ?? []).filter((v) => v.startsWith("'nonce-")).map((v) => v.slice(7, -1));
  expect(nonces, 'one nonce in script-src').toHaveLength(1);
  expect(nonces[0]!.length, 'nonce length').toBeGreaterThanOrEqual(16);
  return nonces[0]!;
}

/** The headers every response of the app carries: a page's CSP, or the API's that allows nothing. */
function expectSecurityHeaders(response: APIResponse, kind: 'page' | 'api' = 'page'): void {
  const headers = response.headers();
  const csp = parseCsp(headers['content-security-policy']);
  const scriptSrc = csp.get('script-src') ?? [];
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  if (kind === 'page') {
    expect(scriptSrc).toContain("'strict-dynamic'");
    expect(csp.get('default-src')).toEqual(["'self'"]);
  } else {
    expect(scriptSrc).toEqual(["'none'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
  }
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-content-type-options']).toBe('nosniff');
  const permissions = headers['permissions-policy'] ?? '';
  for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()'])
    expect(permissions).toContain(feature);
  // Passkeys must keep working in this document (and only in documents of this origin).
  expect(permissions).toContain('publickey-credentials-get=(self)');
  expect(permissions).toContain('publickey-credentials-create=(self)');
  const hsts = headers['strict-transport-security'] ?? '';
  expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(365 * 24 * 60 * 60);
  expect(hsts).toContain('includeSubDomains');
}

test.describe('security headers', () => {
  test('on a page, with a new nonce for every response', async ({ request }) => {
    const first = await request.get('/signin');
    const second = await request.get('/signin');
    expect(first.status()).toBe(200);
    expect(second.status()).toBe(200);
    expectSecurityHeaders(first);
    expectSecurityHeaders(second);
    const nonces = [first, second].map((r) => nonceOf(parseCsp(r.headers()['content-security-policy'])));
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  test('on API routes, a CSP that allows nothing (they send no document)', async ({ request }) => {
    for (const path of ['/api/health', '/api/v1/customers/00000000-0000-4000-8000-000000000000']) {
      const response = await request.get(path);
      expect(response.status()).toBe(path === '/api/health' ? 200 : 401);
      expectSecurityHeaders(response, 'api');
    }
  });

  test("every script tag of the page carries its response's nonce", async ({ request }) => {
    const response = await request.get('/signin');
    const nonce = nonceOf(parseCsp(response.headers()['content-security-policy']));
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, 'script tags in /signin').toBeGreaterThan(0);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);
    // No inline event handlers either: 'strict-dynamic' without 'unsafe-inline' would block them.
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
  });

  test('on redirects and refusals too', async ({ request }) => {
    const redirect = await request.get('/account', { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expectSecurityHeaders(redirect);
    const refused = await request.post('/signin', { headers: { origin: 'https://evil.example' }, data: 'x' });
    expect(refused.status()).toBe(403);
    expectSecurityHeaders(refused);
  });
});

test('the session cookie is HttpOnly and SameSite=Lax (and not Secure over plain http)', async ({
  page,
  customer,
  createChallenge,
}) => {
  const challenge = await createChallenge({ email: customer.email, context: page.context() });
  await page.goto('/signin/code');
  const field = page.getByLabel('Code', { exact: true });
  await waitForHydration(field);
  await field.fill(challenge.code);
  const answered = page.waitForResponse((response) => isServerAction(response.request()));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const setCookie = ((await (await answered).headerValues('set-cookie')) ?? []).find((c) =>
    c.startsWith(`${SESSION_COOKIE}=`),
  );
  await expect(page).toHaveURL(/\/account$/, { timeout: ROUND_TRIPS_TIMEOUT });

  expect(setCookie, 'Set-Cookie of the session').toBeTruthy();
  const attributes = setCookie!
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
  expect(attributes).toContain('httponly');
  expect(attributes).toContain('samesite=lax');
  expect(attributes).toContain('path=/');
  // The app runs on http://localhost here; over https (APP_URL https://…) it sets Secure
  // and the __Host- prefix (server/platform/cookies.ts, tests/integration/cookies.test.ts).
  expect(attributes).not.toContain('secure');
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  // Scripts of the page cannot read it.
  expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
});

/**
 * Collects CSP violations across navigations: what the browser prints to the console,
 * and the securitypolicyviolation events documents receive (the latter also catch
 * violations a script swallowed, which a report-uri endpoint would still receive).
 */
async function recordCspViolations(page: Page): Promise<{ console: string[]; events: string[] }> {
  const seen = { console: [] as string[], events: [] as string[] };
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) seen.console.push(message.text());
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => seen.events.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      void report(
        `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  return seen;
}

test('the app works under its CSP: a whole sign-in reports no violation', async ({ page, customer }) => {
  const violations = await recordCspViolations(page);
  await page.goto('/signin');
  const email = page.getByLabel('Email', { exact: true });
  await waitForHydration(email);
  const before = new Date();
  await email.fill(customer.email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page).toHaveURL(/\/signin\/code$/);
  const code = extractCode(
    await waitForMail(customer.email, { after: before, subjectIncludes: 'Your sign-in link and code' }),
  );
  const field = page.getByLabel('Code', { exact: true });
  await waitForHydration(field);
  await field.fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Hello, Camille' })).toBeVisible({
    timeout: ROUND_TRIPS_TIMEOUT,
  });

  // Client-side navigation, and the passkey client on the security page.
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Security' })).toBeVisible();
  await waitForHydration(page.getByRole('button', { name: 'Add a passkey' }));
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin$/, { timeout: ROUND_TRIPS_TIMEOUT });
  await waitForHydration(page.getByLabel('Email', { exact: true }));

  expect(violations.console).toEqual([]);
  // Also none a script caught and swallowed: zod's classic build probed `new Function`
  // on every page with a form (fixed by moving client schemas to zod/mini).
  expect(violations.events).toEqual([]);
});

test('the first-name form reports no violation either, also with errors shown', async ({
  page,
  createCustomer,
  signInAs,
}) => {
  const violations = await recordCspViolations(page);
  const customer = await createCustomer({ onboarded: false, firstName: null });
  await signInAs(page.context(), customer.id);
  await page.goto('/welcome');
  await waitForHydration(page.getByLabel('First name'));
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.getByLabel('First name')).toHaveAccessibleDescription('Enter your first name.');
  expect(violations).toEqual({ console: [], events: [] });
});
