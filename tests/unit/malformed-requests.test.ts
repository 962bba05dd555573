import type { AddressInfo } from 'node:net';

import { NextRequest } from 'next/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formField } from '@/lib/form-field';
import { proxy } from '@/proxy';

import { compileTrustedProxies } from '../../scripts/client-address';
import { startGracefulHttpServer } from '../../scripts/graceful-http-server';

// Found by npm run test:attack (docs/attack-protection.md, "Scanner and fuzzer"):
// each of these inputs was answered 500 by the production build.

const origin = 'http://localhost:3000';

function actionCall(body: BodyInit, contentType?: string): NextRequest {
  return new NextRequest(`${origin}/signin`, {
    method: 'POST',
    headers: {
      origin,
      'next-action': '6002cab706c72b85aec59b6051a464bd12dda361fc',
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body,
  });
}

const passes = (response: Response) => response.headers.get('x-middleware-next') === '1';

describe('the HTTP server: a path whose percent-encoding does not decode is a 400, not a 500', () => {
  let server: ReturnType<typeof startGracefulHttpServer>;
  let base: string;
  const reached: string[] = [];

  beforeAll(async () => {
    server = startGracefulHttpServer({
      port: 0,
      trustProxy: compileTrustedProxies([]),
      // Stands in for Next.js, which would throw on these paths.
      handle: (req, res) => {
        reached.push(req.url ?? '');
        res.end('next');
      },
      markStopping: () => {},
      delayMs: 0,
      graceMs: 0,
      stopWorker: async () => {},
      closeDatabase: async () => {},
      log: pino({ level: 'silent' }),
      routeTemplate: () => '/',
    });
    await new Promise((resolve) => (server.listening ? resolve(null) : server.once('listening', resolve)));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('refuses it before any route, under /api/ (which proxy.ts does not see) as a problem document', async () => {
    const api = await fetch(`${base}/api/v1/customers/%`);
    expect(api.status).toBe(400);
    expect(api.headers.get('content-type')).toBe('application/problem+json');
    expect(await api.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    const page = await fetch(`${base}/account/privacy/receipts/%E0%A4%A`);
    expect(page.status).toBe(400);
    expect(reached).toEqual([]);
  });

  it('lets a validly encoded path through', async () => {
    const response = await fetch(`${base}/api/v1/customers/%25?q=%`);
    expect(await response.text()).toBe('next');
    expect(reached).toEqual(['/api/v1/customers/%25?q=%']);
  });
});

describe('proxy: server action calls Next.js cannot decode are a 400, not a 500', () => {
  it('refuses a server action call whose arguments are not a list', async () => {
    for (const [body, type] of [
      ['""', 'text/plain;charset=UTF-8'],
      ['', 'application/json'],
      ['{"email":"a@example.test"}', 'text/plain;charset=UTF-8'],
      ['not json', undefined],
      // References to parts a text body does not have.
      ['[{"email":["$Q1"]}]', 'text/plain;charset=UTF-8'],
      ['[{"":"$K1"}]', 'text/plain;charset=UTF-8'],
      ['["$1"]', 'text/plain;charset=UTF-8'],
      ['[{"code":"$n1x"}]', 'text/plain;charset=UTF-8'],
    ] as const) {
      const response = await proxy(actionCall(body, type));
      expect(response.status, `${type}: ${body}`).toBe(400);
    }
    const form = new FormData();
    form.append('0', '"$K1"');
    expect((await proxy(actionCall(form))).status).toBe(400);
    const missingPart = new FormData();
    missingPart.append('0', '["$Q1"]');
    expect((await proxy(actionCall(missingPart))).status).toBe(400);
    const twoRoots = new FormData();
    twoRoots.append('0', '["$K1"]');
    twoRoots.append('0', '');
    expect((await proxy(actionCall(twoRoots))).status).toBe(400);
    expect((await proxy(actionCall('--x--', 'multipart/form-data'))).status).toBe(400);
  });

  it('lets well-formed server action calls through', async () => {
    expect(passes(await proxy(actionCall('[{"email":"a@example.test"}]', 'text/plain;charset=UTF-8')))).toBe(true);
    // How encodeReply sends a string that starts with "$", and undefined.
    expect(passes(await proxy(actionCall('[{"name":"$$5 off"},"$undefined"]', 'text/plain;charset=UTF-8')))).toBe(true);
    const form = new FormData();
    form.append('0', '["$K1"]');
    form.append('1_token', 'x');
    expect(passes(await proxy(actionCall(form)))).toBe(true);
  });
});

describe('formField', () => {
  it('reads a field of a FormData, and nothing from anything else', () => {
    const form = new FormData();
    form.append('token', 'abc');
    expect(formField(form, 'token')).toBe('abc');
    expect(formField(form, 'other')).toBeUndefined();
    for (const notAForm of [undefined, null, [], '', { token: 'abc' }])
      expect(formField(notAForm, 'token')).toBeUndefined();
  });
});
