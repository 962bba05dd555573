/**
 * What a customer page loads before it is interactive (issue 12, ADR 032): not
 * next-intl's client runtime, not zod, not the passkey library. Each comes
 * when it is used, and the form still checks its fields in the browser.
 * The sizes are npm run bench -- --only=js's job; this checks what is in them.
 */
import type { APIRequestContext, Request } from '@playwright/test';

import { expect, test, waitForHydration } from './fixtures';

// A string each library keeps in its minified code (a prop name, a class name, an error).
const MARKERS = {
  "next-intl's client provider": 'getMessageFallback',
  zod: '$ZodObject',
  '@simplewebauthn/browser': 'WebAuthn is not supported in this browser',
};

/** The libraries found in the scripts a page's HTML loads (as the bench reads them: not the noModule polyfills). */
async function librariesLoadedWith(request: APIRequestContext, path: string): Promise<string[]> {
  const res = await request.get(path, { maxRedirects: 0 });
  expect(res.status(), path).toBe(200);
  const html = await res.text();
  const sources = [...html.matchAll(/<script\b([^>]*)>/g)]
    .map((m) => m[1] ?? '')
    .filter((attributes) => !/\bnomodule\b/i.test(attributes))
    .map((attributes) => (/\bsrc="([^"]+)"/.exec(attributes)?.[1] ?? '').replaceAll('&amp;', '&'))
    .filter((src) => src.includes('/_next/static/') && /\.js(\?|$)/.test(src));
  expect(sources.length, path).toBeGreaterThan(0);
  const code = (await Promise.all(sources.map(async (src) => (await request.get(src)).text()))).join('\n');
  return Object.entries(MARKERS)
    .filter(([, marker]) => code.includes(marker))
    .map(([name]) => name);
}

test('/signin loads neither the translations runtime, zod nor the passkey library with the page', async ({ page }) => {
  expect(await librariesLoadedWith(page.request, '/signin')).toEqual([]);
});

test('the account pages load none of them with the page either', async ({ signedInPage: page }) => {
  for (const path of [
    '/account',
    '/account/profile',
    '/account/preferences',
    '/account/security',
    '/account/privacy',
  ]) {
    expect(await librariesLoadedWith(page.request, path), path).toEqual([]);
  }
});

test('the sign-in form loads its schema when used and checks the field in the browser', async ({ page }) => {
  // The form's action posts its values; the passkey autofill request (another action) posts none.
  const posted: Request[] = [];
  page.on('request', (request) => {
    if (request.headers()['next-action'] && request.postData()?.includes('email')) posted.push(request);
  });
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('.js'))
      response.text().then(
        (code) => scripts.push(code),
        () => undefined,
      );
  });
  await page.goto('/signin');
  const email = page.getByLabel('Email', { exact: true });
  await waitForHydration(email);

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(email).toHaveAccessibleDescription('Enter your email address.');
  await email.fill('not-an-address');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(email).toHaveAccessibleDescription('Enter an email address like name@example.com.');
  // Checked by the schema in the browser (its code fetched by now): nothing was posted.
  expect(posted).toEqual([]);
  await expect.poll(() => scripts.some((code) => code.includes(MARKERS.zod))).toBe(true);
});
