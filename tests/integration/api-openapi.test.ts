import fs from 'node:fs';
import path from 'node:path';

// ajv 8 (draft 2020-12, the dialect of OpenAPI 3.1) comes with @hookform/resolvers and prisma.
import { Ajv2020 } from 'ajv/dist/2020';
import { beforeAll, describe, expect, it } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { createCustomer } from '@/tests/factories';

import {
  basic,
  getConsents,
  getCustomer,
  getOpenApi,
  listCustomers,
  patchCustomer,
  registerApp,
  requestToken,
  tokenFor,
  writeTrace,
} from './api-helpers';
import { uniqueEmail } from './helpers';
import { answerPersonalization, postSignal, putPreferences } from './personalization-writes-helpers';

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Json[];
  responses?: Record<string, Json>;
};
type Document = {
  openapi: string;
  info: Json;
  servers: Json[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
};

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const root = path.resolve(import.meta.dirname, '../..');

/** Every route.ts under app/api/v1 and app/api/oauth, as an OpenAPI path, with the methods it exports. */
async function apiRoutes(): Promise<Map<string, string[]>> {
  const routes = new Map<string, string[]>();
  for (const base of ['app/api/v1', 'app/api/oauth']) {
    for (const file of fs.readdirSync(path.join(root, base), { recursive: true, encoding: 'utf8' })) {
      if (path.basename(file) !== 'route.ts') continue;
      const route =
        `/${path.posix.join(base.replace(/^app\//, ''), path.dirname(file).split(path.sep).join('/'))}`.replace(
          /\[(\w+)\]/g,
          '{$1}',
        );
      const exported = (await import(path.join(root, base, file))) as Record<string, unknown>;
      routes.set(
        route,
        HTTP_METHODS.filter((m) => typeof exported[m] === 'function').map((m) => m.toLowerCase()),
      );
    }
  }
  return routes;
}

function resolveRef(doc: Document, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  let doc: Document;
  let ajv: Ajv2020;
  const validator = (name: string) => ajv.getSchema(`#/components/schemas/${name}`) ?? expect.unreachable(name);

  beforeAll(async () => {
    await ensureConsentPurposes();
    const res = await getOpenApi();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Document;
    // The document's own schemas, their $refs resolved against it.
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ components: doc.components }, '#');
    for (const name of Object.keys(doc.components.schemas))
      ajv.addSchema(doc.components.schemas[name]!, `#/components/schemas/${name}`);
  });

  it('is OpenAPI 3.1 and describes every API route and method', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.servers).toEqual([{ url: 'http://localhost:3000' }]);
    const routes = await apiRoutes();
    expect([...routes.keys()].sort()).toEqual(Object.keys(doc.paths).sort());
    for (const [route, methods] of routes) expect(Object.keys(doc.paths[route]!).sort(), route).toEqual(methods.sort());
  });

  it('is structurally sound: ids, responses, parameters, security, references', () => {
    const ids = new Set<string>();
    const scopes = (
      doc.components.securitySchemes.oauth2 as { flows: { clientCredentials: { tokenUrl: string; scopes: Json } } }
    ).flows.clientCredentials;
    expect(scopes.tokenUrl).toBe('http://localhost:3000/api/oauth/token');
    expect(Object.keys(scopes.scopes).sort()).toEqual([
      'content:read',
      'customers:read',
      'customers:write',
      'preferences:write',
      'signals:write',
    ]);

    for (const [route, item] of Object.entries(doc.paths)) {
      const templated = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${route}`;
        expect(op.operationId, where).toMatch(/^[a-zA-Z]+$/);
        expect(ids.has(op.operationId!), where).toBe(false);
        ids.add(op.operationId!);
        expect(Object.keys(op.responses ?? {}).length, where).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses!)) {
          expect(status, where).toMatch(/^[1-5]\d\d$/);
          expect(response.description, `${where} ${status}`).toEqual(expect.any(String));
        }
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), where).toEqual(templated.sort());
        expect(
          pathParams.every((p) => p.required === true),
          where,
        ).toBe(true);
        for (const requirement of op.security ?? []) {
          for (const [scheme, needed] of Object.entries(requirement)) {
            expect(doc.components.securitySchemes[scheme], where).toBeDefined();
            for (const scope of needed) expect(scopes.scopes, where).toHaveProperty([scope]);
          }
        }
        if (route.startsWith('/api/v1/customers')) {
          expect(op.security, where).toEqual([
            { oauth2: [expect.stringMatching(/^(customers|preferences|signals|content):(read|write)$/)] },
          ]);
          expect(op.responses!['401'], where).toBeDefined();
          expect(op.responses!['429'], where).toBeDefined();
          expect(Object.keys((op.responses!['401']!.content as Json) ?? {}), where).toEqual([
            'application/problem+json',
          ]);
        }
      }
    }
    for (const ref of refsIn(doc)) expect(resolveRef(doc, ref), ref).toBeDefined();

    const patch = doc.paths['/api/v1/customers/{id}']!.patch!;
    expect(patch.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'If-Match', required: true }),
    );
    expect(patch.responses!['200']!.headers).toHaveProperty('ETag');
    expect(patch.responses!['412']!.headers).toHaveProperty('ETag');
    expect(doc.paths['/api/v1/customers/{id}']!.get!.responses!['200']!.headers).toHaveProperty('ETag');
    expect(doc.paths['/api/v1/customers']!.get!.responses!['429']!.headers).toHaveProperty('Retry-After');
    expect(doc.components.schemas.Problem).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'instance']),
    });
  });

  it('its PATCH schema refuses what the route refuses, and accepts what it accepts', async () => {
    const { app } = await registerApp({ tag: 'openapi' });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail('oas') });
    const address = { country: 'FR', line1: '1 rue de la Paix', line2: '', postalCode: '75002', city: 'Paris' };
    const schema = validator('CustomerPatch');

    const accepted: unknown[] = [
      {},
      { firstName: 'Zoé', lastName: "O'Brien" },
      { lastName: null, phone: null },
      { phone: '+33 6 12 34 56 78', locale: 'fr' },
      { addresses: { home: address, billing: null } },
      { addresses: { shipping: { ...address, line2: null } } },
      { addresses: { shipping: { country: 'FR', line1: '3 rue', postalCode: '75002', city: 'Paris' } } },
    ];
    const refused: unknown[] = [
      [],
      null,
      'text',
      { nickname: 'x' },
      { email: 'a@example.com' },
      { firstName: '' },
      { firstName: null },
      { firstName: 'a'.repeat(101) },
      { firstName: '<script>alert(1)</script>' },
      { firstName: "'; DROP TABLE customers;--" },
      { lastName: 'b'.repeat(101) },
      { phone: 42 },
      { phone: '+3'.padEnd(33, '3') },
      { locale: 'de' },
      { addresses: { office: address } },
      { addresses: { home: { ...address, country: 'XX' } } },
      { addresses: { home: { ...address, line1: '' } } },
      { addresses: { home: { ...address, city: 'c'.repeat(101) } } },
      { addresses: { home: { ...address, postalCode: '7'.repeat(17) } } },
      { addresses: { home: 'Paris' } },
    ];
    // What JSON Schema cannot say: the server alone checks these.
    const serverOnly: unknown[] = [
      { phone: '+33 1' },
      { addresses: { home: { ...address, postalCode: 'SW1A 1AA' } } },
      { addresses: { home: { ...address, line1: 'a\u0000b' } } },
    ];

    const routeStatus = async (body: unknown) => {
      const { version } = await writeTrace(customer.id);
      return (await patchCustomer(token, customer.id, body, { ifMatch: `"${version}"` })).status;
    };
    for (const body of accepted) {
      expect(schema(body), `schema accepts ${JSON.stringify(body)}: ${JSON.stringify(schema.errors)}`).toBe(true);
      expect(await routeStatus(body), `route accepts ${JSON.stringify(body)}`).toBe(200);
    }
    for (const body of refused) {
      expect(schema(body), `schema refuses ${JSON.stringify(body)}`).toBe(false);
      expect(await routeStatus(body), `route refuses ${JSON.stringify(body)}`).toBe(422);
    }
    for (const body of serverOnly) {
      expect(schema(body)).toBe(true);
      expect(await routeStatus(body)).toBe(422);
    }
  });

  it('describes the bodies the API really sends', async () => {
    const { app, clientSecret } = await registerApp({
      tag: 'oas-bodies',
      purposes: 'service',
      fields: 'name,email,phone,postalAddress,locale',
    });
    const customer = await createCustomer({
      email: uniqueEmail('oas'),
      lastName: 'Silva',
      address: { country: 'FR', line1: '1 rue', postalCode: '75002', city: 'Paris' },
    });
    const tokenRes = await requestToken(
      { grant_type: 'client_credentials' },
      { Authorization: basic(app.clientId, clientSecret) },
    );
    const tokenBody = await tokenRes.json();
    const check = (name: string, body: unknown) => {
      const validate = validator(name);
      expect(validate(body), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    check('TokenResponse', tokenBody);
    check(
      'OAuthError',
      await (
        await requestToken({ grant_type: 'password' }, { Authorization: basic(app.clientId, clientSecret) })
      ).json(),
    );
    const token = (tokenBody as { access_token: string }).access_token;
    check('Customer', await (await getCustomer(token, customer.id)).json());
    check('CustomerList', await (await listCustomers(token, '?limit=3')).json());
    check('CustomerConsents', await (await getConsents(token, customer.id)).json());
    check('Problem', await (await getCustomer(token, 'nope')).json());
    check('Problem', await (await patchCustomer(token, customer.id, { nickname: 1 }, { ifMatch: '"1"' })).json());
    // Response schemas are closed: a member the API does not document fails them.
    expect(
      validator('Customer')({ id: customer.id, version: 1, updatedAt: new Date().toISOString(), access: {} }),
    ).toBe(true);
    expect(
      validator('Customer')({
        id: customer.id,
        version: 1,
        updatedAt: new Date().toISOString(),
        access: {},
        secret: 'x',
      }),
    ).toBe(false);
    expect(validator('Customer')({ id: customer.id, version: 'one', updatedAt: 'yesterday', access: {} })).toBe(false);
  });
  it('its preferences and signals schemas agree with their routes, and describe the signal sent back', async () => {
    await applyPersonalizationReferenceData();
    const { app } = await registerApp({
      tag: 'oas-personal',
      purposes: 'service,personalization',
      fields: 'name:service,preferences:personalization,signals:personalization',
      scopes: ['preferences:write', 'signals:write'],
    });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail('oas') });
    await answerPersonalization(customer.id, true);
    const prefs = { interests: ['running'], favouriteStore: null, sizes: { clothing: 'M', shoes: null }, channels: [] };
    const signal = { type: 'category.viewed', category: 'running' };
    let version = 0;
    const put = async (body: unknown) => {
      const res = await putPreferences(token, customer.id, body, { ifMatch: `"${version}"` });
      if (res.status === 204) version = Number(res.headers.get('etag')!.replace(/"/g, ''));
      return res.status;
    };
    const post = async (body: unknown) =>
      (await postSignal(token, customer.id, body, { idempotencyKey: `"${crypto.randomUUID()}"` })).status;

    const cases: Array<[string, (body: unknown) => Promise<number>, number, unknown[], unknown[]]> = [
      [
        'PreferencesPut',
        put,
        204,
        [prefs, { ...prefs, interests: [], channels: ['email', 'sms'] }],
        [
          {},
          { ...prefs, interests: 'running' },
          { ...prefs, sizes: { clothing: 'XXXL', shoes: null } },
          { ...prefs, x: 1 },
        ],
      ],
      [
        'SignalPost',
        post,
        201,
        [signal, { ...signal, type: 'order.purchased', item: 'SKU-1', occurredAt: new Date().toISOString() }],
        [
          {},
          { ...signal, type: 'page.viewed' },
          { ...signal, category: 'Running' },
          { ...signal, item: '' },
          { ...signal, x: 1 },
        ],
      ],
    ];
    for (const [name, send, ok, accepted, refused] of cases) {
      const schema = validator(name);
      for (const body of accepted) {
        expect(schema(body), `${name} accepts ${JSON.stringify(body)}: ${JSON.stringify(schema.errors)}`).toBe(true);
        expect(await send(body), `route accepts ${JSON.stringify(body)}`).toBe(ok);
      }
      for (const body of refused) {
        expect(schema(body), `${name} refuses ${JSON.stringify(body)}`).toBe(false);
        expect(await send(body), `route refuses ${JSON.stringify(body)}`).toBe(422);
      }
    }
    const created = await postSignal(token, customer.id, signal, { idempotencyKey: 'k-1' });
    const check = validator('Signal');
    expect(check(await created.json()), JSON.stringify(check.errors)).toBe(true);
  });
});
