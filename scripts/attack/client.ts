// HTTP as a browser would speak it to Accord, without a browser: a cookie jar,
// server actions called by their id (the `Next-Action` header, arguments as
// React's encodeReply sends plain JSON values), and the real sign-in flow
// through the mail sink.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repoRoot } from '../db/postgres';

export type Reply = { status: number; headers: Headers; body: string };

export class Client {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(
    pathAndQuery: string,
    init: { method?: string; headers?: Record<string, string>; body?: BodyInit; keepCookies?: boolean } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size && !('cookie' in headers)) headers.cookie = this.cookieHeader();
    const res = await fetch(new URL(pathAndQuery, this.baseUrl), {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
      redirect: 'manual',
    });
    if (init.keepCookies !== false) {
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0] ?? '';
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
}

export type ServerAction = {
  id: string;
  /** e.g. app/(auth)/signin/actions.ts#requestSignInAction */
  key: string;
  /** A page that imports the action: where a browser posts it. */
  page: string;
};

/** Every server action of the build, from Next.js's server reference manifest. */
export function readServerActions(distDir = path.join(repoRoot, '.next')): ServerAction[] {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(distDir, 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }> };
  return Object.entries(manifest.node).map(([id, entry]) => {
    if (!entry.filename || !entry.exportedName)
      throw new Error(`server action ${id} has no filename/exportedName in the manifest`);
    const worker =
      Object.keys(entry.workers).find((name) => !name.includes('[')) ?? Object.keys(entry.workers)[0] ?? '';
    const page = `/${worker.replace(/^app\//, '').replace(/(^|\/)page$/, '')}`
      .replace(/\/\([^)]+\)/g, '')
      .replace(/\/+$/, '');
    return { id, key: `${entry.filename}#${entry.exportedName}`, page: page || '/' };
  });
}

/** The server action call a browser makes: same-origin POST to the page, the id in `Next-Action`. */
export function callAction(
  client: Client,
  action: ServerAction,
  body: BodyInit,
  opts: { contentType?: string; keepCookies?: boolean } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    'next-action': action.id,
    origin: client.baseUrl,
    accept: 'text/x-component',
  };
  // FormData sets its own multipart boundary.
  if (opts.contentType) headers['content-type'] = opts.contentType;
  return client.request(action.page, { method: 'POST', headers, body, keepCookies: opts.keepCookies });
}

async function latestCode(mailboxUrl: string, to: string, after: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${mailboxUrl}/messages?to=${encodeURIComponent(to)}`);
    const mails = (await res.json()) as { id: number; text: string }[];
    const mail = mails.filter((m) => m.id > after).at(-1);
    const code = mail?.text.match(/\b(\d{3}\s?\d{3})\b/)?.[1];
    if (code) return code.replace(/\s/g, '');
    await sleep(300);
  }
  throw new Error(`no sign-in code mailed to ${to} within 30 s`);
}

/**
 * A customer signed in through the real flow (email, mailed code) and onboarded;
 * the client then holds the session cookie.
 */
export async function signInCustomer(
  client: Client,
  actions: ServerAction[],
  mailboxUrl: string,
  email: string,
  termsVersion: number,
): Promise<void> {
  // Called by fetch, an action that redirects answers 200 and names the target in x-action-redirect.
  const redirected = (reply: Reply) => reply.headers.has('x-action-redirect');
  const find = (key: string) => actions.find((a) => a.key === key) ?? fail(`no server action ${key} in the build`);
  const json = 'text/plain;charset=UTF-8';
  const request = await callAction(
    client,
    find('app/(auth)/signin/actions.ts#requestSignInAction'),
    JSON.stringify([{ email }]),
    { contentType: json },
  );
  if (!redirected(request)) throw new Error(`requestSignInAction answered ${request.status}`);
  const code = await latestCode(mailboxUrl, email, 0);
  const verify = await callAction(
    client,
    find('app/(auth)/signin/actions.ts#verifyCodeAction'),
    JSON.stringify([{ code }]),
    { contentType: json },
  );
  if (!redirected(verify)) throw new Error(`verifyCodeAction answered ${verify.status}: ${verify.body.slice(0, 200)}`);
  const welcome = await callAction(
    client,
    find('app/(auth)/welcome/actions.ts#completeOnboardingAction'),
    JSON.stringify([{ firstName: 'Fuzz', acceptTerms: true, termsVersion }]),
    { contentType: json },
  );
  if (!redirected(welcome)) throw new Error(`completeOnboardingAction answered ${welcome.status}`);
}

function fail(message: string): never {
  throw new Error(message);
}
