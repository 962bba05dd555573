import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { GET as metricsRoute } from '@/app/api/metrics/route';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { requestSignIn, verifyCode } from '@/server/identity/sign-in';
import { getPool } from '@/server/platform/db';
import { getMetrics, recordRequest, routeLabeler } from '@/server/platform/metrics';
import { createSignInChallenge } from '@/tests/factories';

import { registerApp } from './api-helpers';
import { uniqueEmail, uniqueIp } from './helpers';

const scrape = (authorization?: string) =>
  metricsRoute(
    new Request('http://localhost:3000/api/metrics', authorization ? { headers: { authorization } } : undefined),
  );

/** The value of one series in the exposition text, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const NAMES = ['METRICS_TOKEN', 'NODE_ENV', 'AUTH_SECRET', 'APP_URL', 'SMTP_URL'] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
beforeAll(ensureConsentPurposes);
afterEach(() => {
  for (const [name, v] of Object.entries(saved)) {
    if (v === undefined) delete (process.env as Record<string, string | undefined>)[name];
    else (process.env as Record<string, string | undefined>)[name] = v;
  }
  vi.resetModules();
});

/** The route handler over fresh server/ modules, as an instance started with these variables. */
async function routeWith(env: Record<string, string>) {
  Object.assign(process.env, env);
  vi.resetModules();
  return (await import('@/app/api/metrics/route')).GET;
}

describe('/api/metrics', () => {
  it('answers Prometheus text to the bearer of METRICS_TOKEN only, compared whole', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const route = await routeWith({ METRICS_TOKEN: token });
    const get = (authorization?: string) =>
      route(new Request('http://localhost/api/metrics', authorization ? { headers: { authorization } } : undefined));
    for (const wrong of [undefined, 'Bearer nope', `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token]) {
      const response = await get(wrong);
      expect(response.status, String(wrong)).toBe(401);
      expect(await response.text()).not.toContain('accord_');
    }
    const response = await get(`Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('# TYPE accord_http_requests_total counter');
    expect(text).toContain('# TYPE accord_api_request_duration_seconds histogram');
  });

  it('does not exist in production without METRICS_TOKEN', async () => {
    const route = await routeWith({
      NODE_ENV: 'production',
      AUTH_SECRET: 'production-secret-production-secret-0123',
      APP_URL: 'https://accounts.example.com',
      SMTP_URL: 'smtp://localhost:1',
    });
    const response = await route(new Request('https://accounts.example.com/api/metrics'));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('accord_');
  });

  it('counts sign-in codes by outcome', async () => {
    const before = await (await scrape()).text();
    const email = uniqueEmail('metrics');
    const sent = await requestSignIn(email, uniqueIp(), 'en');
    expect(sent).toMatchObject({ ok: true });
    const challenge = await createSignInChallenge();
    expect(await verifyCode(challenge.id, challenge.code === '000000' ? '111111' : '000000', uniqueIp())).toMatchObject(
      {
        ok: false,
        reason: 'wrong-code',
      },
    );
    expect(await verifyCode(challenge.id, challenge.code, uniqueIp())).toMatchObject({ ok: true });

    const after = await (await scrape()).text();
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta('accord_sign_in_codes_total{outcome="wrong-code"}')).toBe(1);
    expect(delta('accord_sign_in_codes_total{outcome="verified"}')).toBe(1);
    // Nothing that names the customer reaches a label.
    expect(after).not.toContain(email);
  });

  it('reads the outbox backlog and the webhook lag from the database at scrape time', async () => {
    const app = await registerApp({ tag: 'metrics' });
    const before = await (await scrape()).text();
    const { rows } = await getPool().query<{ id: string }>(
      `INSERT INTO outbox_events (event_id, type, payload) VALUES (gen_random_uuid(), 'test.metrics', '{}'), (gen_random_uuid(), 'test.metrics', '{}') RETURNING id`,
    );
    await getPool().query(
      `INSERT INTO webhook_deliveries (outbox_id, app_id, status, attempts, created_at)
       VALUES ($1::bigint, $2::uuid, 'pending', 2, now() - interval '1 hour')`,
      [rows[0]!.id, app.app.id],
    );
    const after = await (await scrape()).text();
    expect(value(after, 'accord_outbox_backlog') - value(before, 'accord_outbox_backlog')).toBe(2);
    expect(value(after, 'accord_webhook_pending{state="retrying"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'accord_webhook_lag_seconds')).toBeGreaterThanOrEqual(3600);
    await getPool().query(`DELETE FROM outbox_events WHERE type = 'test.metrics'`);
  });

  it('labels requests by the route template of the build, never by the raw path', async () => {
    const label = routeLabeler({
      staticRoutes: [{ page: '/account/profile', regex: '^/account/profile(?:/)?$' }],
      dynamicRoutes: [
        { page: '/account/[tab]', regex: '^/account/([^/]+?)(?:/)?$' },
        { page: '/api/v1/customers/[id]', regex: '^/api/v1/customers/([^/]+?)(?:/)?$' },
      ],
    });
    expect(label('/account/profile?x=1')).toBe('/account/profile');
    expect(label('/account/other')).toBe('/account/[tab]');
    expect(label('/api/v1/customers/6f1c2b1e-0000-4000-8000-000000000000')).toBe('/api/v1/customers/[id]');
    expect(label('/signin/confirm/someone@example.com')).toBe('other');
    expect(label('/_next/static/chunks/x.js')).toBe('/_next');

    recordRequest('/api/v1/customers/6f1c2b1e-0000-4000-8000-000000000001?token=secret', 'GET', 200, 12);
    const text = await getMetrics().registry.metrics();
    expect(text).not.toContain('6f1c2b1e-0000-4000-8000-000000000001');
    expect(text).not.toContain('secret');
  });
});
