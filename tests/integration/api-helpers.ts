// Calls the apps' API route handlers directly (no server), as an app would over HTTP.
import { randomUUID } from 'node:crypto';

import { expect } from 'vitest';

import { POST as tokenRoute } from '@/app/api/oauth/token/route';
import { GET as consentsRoute } from '@/app/api/v1/customers/[id]/consents/route';
import { GET as preferencesRoute } from '@/app/api/v1/customers/[id]/preferences/route';
import { GET as customerRoute, PATCH as patchRoute } from '@/app/api/v1/customers/[id]/route';
import { GET as listRoute } from '@/app/api/v1/customers/route';
import { GET as openApiRoute } from '@/app/api/v1/openapi.json/route';
import { ProblemSchema } from '@/server/apps/api/schemas';
import { issueAccessToken } from '@/server/apps/oauth';
import { createApp, type AppInput, type AppScope } from '@/server/apps/registry';
import { prisma } from '@/server/platform/db';
import { TEST_ACTOR } from '@/tests/factories';

export const ORIGIN = 'http://localhost:3000';

export const appName = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;

/** A registered app with every scope unless told otherwise. */
export async function registerApp(input: Partial<AppInput> & { tag?: string } = {}) {
  const { tag = 'api', ...rest } = input;
  return createApp(
    {
      name: appName(tag),
      purposes: 'service',
      fields: 'name,phone,postalAddress,locale',
      scopes: ['customers:read', 'customers:write', 'preferences:write'],
      ...rest,
    },
    TEST_ACTOR,
  );
}

/** A token signed by the server for this app, without going through the endpoint. */
export async function tokenFor(
  app: Parameters<typeof issueAccessToken>[0] & { scopes: AppScope[] },
  scopes?: AppScope[],
): Promise<string> {
  return (await issueAccessToken(app, scopes ?? app.scopes)).accessToken;
}

export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export function requestToken(
  body: string | Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const text = typeof body === 'string' ? body : new URLSearchParams(body).toString();
  return tokenRoute(
    new Request(`${ORIGIN}/api/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: text,
    }),
  );
}

const auth = (token: string | null): Record<string, string> =>
  token === null ? {} : { Authorization: `Bearer ${token}` };
const params = (id: string) => ({ params: Promise.resolve({ id }) });

export function getCustomer(token: string | null, id: string, headers: Record<string, string> = {}): Promise<Response> {
  return customerRoute(
    new Request(`${ORIGIN}/api/v1/customers/${encodeURIComponent(id)}`, { headers: { ...auth(token), ...headers } }),
    params(id),
  );
}

export function listCustomers(token: string | null, query = ''): Promise<Response> {
  return listRoute(new Request(`${ORIGIN}/api/v1/customers${query}`, { headers: auth(token) }));
}

export function getConsents(token: string | null, id: string): Promise<Response> {
  return consentsRoute(
    new Request(`${ORIGIN}/api/v1/customers/${encodeURIComponent(id)}/consents`, { headers: auth(token) }),
    params(id),
  );
}

export type PatchOptions = { ifMatch?: string | null; contentType?: string | null; raw?: string };

export function patchCustomer(
  token: string | null,
  id: string,
  body: unknown,
  opts: PatchOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...auth(token) };
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  if (opts.ifMatch !== undefined && opts.ifMatch !== null) headers['If-Match'] = opts.ifMatch;
  return patchRoute(
    new Request(`${ORIGIN}/api/v1/customers/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers,
      body: opts.raw ?? JSON.stringify(body),
    }),
    params(id),
  );
}

export function getOpenApi(): Promise<Response> {
  return openApiRoute(new Request(`${ORIGIN}/api/v1/openapi.json`));
}

/** The body of a problem response, checked against the documented shape. */
export async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = ProblemSchema.parse(await res.json());
  expect(body.status).toBe(res.status);
  expect(body.type).toMatch(/^http:\/\/localhost:3000\/docs\/api#problem-[a-z-]+$/);
  return body;
}

/** What a write leaves behind for a customer: the history rows, events and the version. */
export async function writeTrace(customerId: string) {
  const [changes, events, customer] = await Promise.all([
    prisma.profileChange.count({ where: { customerId } }),
    prisma.outboxEvent.count({ where: { customerId } }),
    prisma.user.findUnique({ where: { id: customerId }, select: { version: true } }),
  ]);
  return { changes, events, version: customer?.version ?? null };
}

export function getPreferences(token: string | null, id: string): Promise<Response> {
  return preferencesRoute(
    new Request(`${ORIGIN}/api/v1/customers/${encodeURIComponent(id)}/preferences`, { headers: auth(token) }),
    params(id),
  );
}
