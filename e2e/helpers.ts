/**
 * Helpers shared by specs: server action capture and replay (as a client that skips
 * the browser would send them), and axe's serious violations.
 */
import AxeBuilder from '@axe-core/playwright';
import type { APIResponse, Page, Request } from '@playwright/test';

import { expect, waitForHydration } from './fixtures';
import { waitForMail } from './mailbox';
import { PASSKEY_NAME, ROUND_TRIPS_TIMEOUT, SecurityPage } from './pages';

export function isServerAction(request: Request): boolean {
  return request.method() === 'POST' && request.headers()['next-action'] !== undefined;
}

export type CapturedAction = { url: string; headers: Record<string, string>; body: Buffer };

async function capture(request: Request): Promise<CapturedAction> {
  return { url: request.url(), headers: await request.allHeaders(), body: request.postDataBuffer() ?? Buffer.alloc(0) };
}

/**
 * Records the next server action POST that `trigger` makes (the next whose body
 * matches `match`, when given: other actions of the page go through), without
 * letting it reach the app.
 */
export async function captureServerAction(
  page: Page,
  trigger: () => Promise<void>,
  match: (body: string) => boolean = () => true,
): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await page.route('**', async (route) => {
    const request = route.request();
    if (!isServerAction(request) || captured || !match(request.postData() ?? '')) return route.fallback();
    captured = await capture(request);
    await route.abort();
  });
  await trigger();
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unrouteAll();
  return captured!;
}

/**
 * Records, from now on, the server action POSTs whose body matches `match`, and lets
 * them through: the page goes on as usual and the test can replay them later.
 */
export function recordServerActions(page: Page, match: (body: string) => boolean): CapturedAction[] {
  const seen: CapturedAction[] = [];
  page.on('request', (request) => {
    if (!isServerAction(request) || !match(request.postData() ?? '')) return;
    void capture(request).then((action) => seen.push(action));
  });
  return seen;
}

/** Replays a captured action with another Origin header (or none), with the page's cookies. */
export function replay(
  page: Page,
  action: CapturedAction,
  origin: string | null,
  extraHeaders: Record<string, string> = {},
): Promise<APIResponse> {
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(action.headers).filter(
      ([name]) => !['origin', 'referer', 'content-length', 'host', 'cookie'].includes(name),
    ),
  );
  if (origin !== null) headers.origin = origin;
  return page.request.post(action.url, {
    headers: { ...headers, ...extraHeaders },
    data: action.body,
    maxRedirects: 0,
  });
}

/**
 * Rewrites, from now on, the body of the server action POSTs the page sends whose body
 * matches `match`, as a client that skips the browser could: the server must refuse on its own.
 */
export async function rewriteServerActions(
  page: Page,
  match: (body: string) => boolean,
  rewrite: (body: string) => string,
): Promise<void> {
  await page.route('**', async (route) => {
    const request = route.request();
    const body = request.postData() ?? '';
    if (!isServerAction(request) || !match(body)) return route.fallback();
    await route.continue({ postData: rewrite(body) });
  });
}

export { PASSKEY_NAME, ROUND_TRIPS_TIMEOUT };

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Serious and critical violations, small enough to read in a failure message. */
export async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** The first link in a mail's text body whose URL contains `path` (trailing punctuation dropped). */
export function extractLink(mail: { text: string; subject: string }, path: string): string {
  for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"'()[\]]+/g)) {
    const url = match[0].replace(/[.,;:!?]+$/, '');
    if (url.includes(path)) return url;
  }
  throw new Error(`No ${path} link in the text body of the mail ${JSON.stringify(mail.subject)}`);
}

/**
 * The page shows an error alert with exactly this text. (Next.js's route announcer is
 * also role=alert, so "the alert" alone is ambiguous.)
 */
export async function expectAlert(page: Page, text: string): Promise<void> {
  await expect(page.getByRole('alert').filter({ hasText: text })).toHaveText(text, { timeout: ROUND_TRIPS_TIMEOUT });
}

/**
 * "Add a passkey" on /account/security, with a recent sign-in (no step-up) and a virtual
 * authenticator on the page (e2e/webauthn.ts); waits until the passkey is listed.
 */
export function addPasskey(page: Page): Promise<void> {
  return new SecurityPage(page).addPasskey();
}

/** A passkey's entry in the list on /account/security. */
export function passkeyItem(page: Page, name: string) {
  return new SecurityPage(page).passkeyItem(name);
}

/**
 * On /account/profile, asks to change the sign-in email to `newEmail`: the Email
 * region, when it was asked, and the confirmation mail (with its link and code).
 */
export async function requestEmailChange(page: Page, newEmail: string) {
  await page.goto('/account/profile');
  const email = page.getByRole('region', { name: 'Email' });
  await waitForHydration(email.getByRole('button', { name: 'Change email' }));
  await email.getByRole('button', { name: 'Change email' }).click();
  await email.getByLabel('New email address').fill(newEmail);
  const sent = new Date();
  await email.getByRole('button', { name: 'Send the confirmation' }).click();
  const mail = await waitForMail(newEmail, { after: sent, subjectIncludes: 'Confirm your new email address' });
  return { email, sent, mail };
}
