import { beforeAll, describe, expect, it } from 'vitest';

import { CustomerConsentsSchema, CustomerListSchema, CustomerSchema } from '@/server/apps/api/schemas';
import { setConsent } from '@/server/consent/consent';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import {
  getConsents,
  getCustomer,
  listCustomers,
  patchCustomer,
  problemOf,
  registerApp,
  tokenFor,
  writeTrace,
} from './api-helpers';
import { uniqueEmail } from './helpers';

const address = { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' };

const accessLog = (customerId: string) =>
  prisma.dataAccessLog.findMany({
    where: { customerId },
    orderBy: { id: 'asc' },
    select: { accessorId: true, accessorName: true, fields: true, purpose: true },
  });

async function customerBody(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  return CustomerSchema.parse(await res.json());
}

describe('GET /api/v1/customers/{id}', () => {
  beforeAll(ensureConsentPurposes);

  it('returns only the fields the app may see, with the version as ETag, and logs the read', async () => {
    const { app } = await registerApp({
      tag: 'reader',
      purposes: 'service,marketing-emails',
      fields: 'name,postalAddress,email:marketing-emails',
      scopes: ['customers:read'],
    });
    const customer = await createCustomer({ email: uniqueEmail(), firstName: 'Ana', lastName: 'Silva', address });
    const token = await tokenFor(app);

    const res = await getCustomer(token, customer.id);
    expect(res.status).toBe(200);
    const body = await customerBody(res);
    expect(res.headers.get('etag')).toBe(`"${body.version}"`);
    expect(body).toEqual({
      id: customer.id,
      version: expect.any(Number),
      updatedAt: expect.stringMatching(/Z$/),
      firstName: 'Ana',
      lastName: 'Silva',
      addresses: { home: { ...address, line2: null }, billing: null, shipping: null },
      access: { name: 'terms-of-service', postalAddress: 'terms-of-service' },
    });
    expect(await accessLog(customer.id)).toEqual([
      {
        accessorId: app.clientId,
        accessorName: app.name,
        fields: ['name', 'postalAddress'],
        purpose: 'terms-of-service',
      },
    ]);

    // Consent given: the email appears at the next read.
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const after = await customerBody(await getCustomer(token, customer.id));
    expect(after.email).toBe(customer.email);
    expect(after.emailVerified).toBe(true);
    expect(after.access).toEqual({
      name: 'marketing-emails',
      postalAddress: 'marketing-emails',
      email: 'marketing-emails',
    });
  });

  it('answers an unknown id, a malformed id and a customer who withdrew the app alike: 404, nothing logged', async () => {
    const { app } = await registerApp({ tag: 'hidden' });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail(), address });
    expect((await getCustomer(token, customer.id)).status).toBe(200);
    await prisma.appAccessWithdrawal.create({ data: { customerId: customer.id, appId: app.id } });
    const pending = await createCustomer({ email: uniqueEmail(), onboarded: false });

    const bodies = [];
    for (const id of [
      customer.id,
      pending.id,
      '00000000-0000-4000-8000-000000000000',
      'not-a-uuid',
      `${customer.id}x`,
      "1' OR '1'='1",
    ]) {
      const res = await getCustomer(token, id);
      expect(res.status, id).toBe(404);
      const { instance, ...rest } = await problemOf(res);
      expect(instance).toMatch(/^\/api\/v1\/customers\//);
      bodies.push(rest);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(await accessLog(customer.id)).toHaveLength(1);
    expect(await accessLog(pending.id)).toHaveLength(0);
    // The consents of a withdrawn customer are not found either.
    expect((await getConsents(token, customer.id)).status).toBe(404);
  });
});

describe('GET /api/v1/customers', () => {
  beforeAll(ensureConsentPurposes);

  it('pages through the customers the app may see, with an opaque cursor and a Link header', async () => {
    const { app } = await registerApp({ tag: 'pager', fields: 'name', scopes: ['customers:read'] });
    const token = await tokenFor(app);
    for (let i = 0; i < 5; i++) await createCustomer({ email: uniqueEmail('page') });
    const hidden = await createCustomer({ email: uniqueEmail('page'), onboarded: false });

    const seen: string[] = [];
    let query = '?limit=2';
    for (let page = 0; page < 1000; page++) {
      const res = await listCustomers(token, query);
      expect(res.status).toBe(200);
      const body = CustomerListSchema.parse(await res.json());
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((c) => c.id));
      for (const c of body.data) expect(Object.keys(c.access)).toEqual(['name']);
      if (body.next === null) {
        expect(res.headers.get('link')).toBeNull();
        break;
      }
      expect(body.data).toHaveLength(2);
      expect(body.next).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
      expect(res.headers.get('link')).toBe(
        `<http://localhost:3000/api/v1/customers?limit=2&cursor=${body.next}>; rel="next"`,
      );
      query = `?limit=2&cursor=${body.next}`;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(hidden.id);
    const visible = Number(
      (
        await prisma.$queryRaw<
          Array<{ n: bigint }>
        >`SELECT count(*) AS n FROM customers c WHERE accord_visible_fields(c.id, ${app.id}::uuid, ${JSON.stringify(app.fieldPurposes)}::jsonb) <> '{}'::jsonb`
      )[0]!.n,
    );
    expect(seen).toHaveLength(visible);

    const defaults = CustomerListSchema.parse(await (await listCustomers(token)).json());
    expect(defaults.data.length).toBe(Math.min(20, visible));
  });

  it('finds a customer by email only when the app may see the email', async () => {
    const withEmail = await registerApp({
      tag: 'byemail',
      purposes: 'service',
      fields: 'name,email',
      scopes: ['customers:read'],
    });
    const withoutEmail = await registerApp({
      tag: 'noemail',
      purposes: 'service',
      fields: 'name',
      scopes: ['customers:read'],
    });
    const customer = await createCustomer({ email: uniqueEmail('find') });

    const found = CustomerListSchema.parse(
      await (
        await listCustomers(await tokenFor(withEmail.app), `?email=${encodeURIComponent(customer.email.toUpperCase())}`)
      ).json(),
    );
    expect(found).toEqual({ data: [expect.objectContaining({ id: customer.id, email: customer.email })], next: null });
    const notFound = CustomerListSchema.parse(
      await (
        await listCustomers(await tokenFor(withoutEmail.app), `?email=${encodeURIComponent(customer.email)}`)
      ).json(),
    );
    expect(notFound).toEqual({ data: [], next: null });
    expect(await accessLog(customer.id)).toHaveLength(1);
  });

  it('refuses bad query parameters with a 400 problem naming them', async () => {
    const { app } = await registerApp({ tag: 'badquery', scopes: ['customers:read'] });
    const token = await tokenFor(app);
    const cases: Array<[string, string]> = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?limit=1.5', 'limit'],
      ['?limit=', 'limit'],
      ['?limit=1&limit=2', 'limit'],
      ['?cursor=garbage', 'cursor'],
      [`?cursor=${'a'.repeat(101)}`, 'cursor'],
      ['?email=not-an-email', 'email'],
      [`?email=${encodeURIComponent("x' OR 1=1;--@example.com")}`, 'email'],
      ['?email=a%40example.com&cursor=abc', 'cursor'],
      ['?emial=a%40example.com', 'emial'],
    ];
    for (const [query, parameter] of cases) {
      const res = await listCustomers(token, query);
      expect(res.status, query).toBe(400);
      const body = await problemOf(res);
      expect(
        body.errors?.map((e) => e.parameter),
        query,
      ).toContain(parameter);
    }
  });
});

describe('PATCH /api/v1/customers/{id}', () => {
  beforeAll(ensureConsentPurposes);

  it('writes through updateProfile with the app as channel, If-Match on the version, and returns the new ETag', async () => {
    const { app } = await registerApp({ tag: 'writer' });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail(), address });
    const read = await getCustomer(token, customer.id);
    const etag = read.headers.get('etag')!;
    const current = await customerBody(read);

    // What was read can be sent back as it is (line2 null), with a change.
    const res = await patchCustomer(
      token,
      customer.id,
      {
        lastName: 'Durand',
        phone: '+33 6 12 34 56 78',
        addresses: { home: { ...current.addresses!.home!, line1: '2 rue de la Paix' } },
      },
      { ifMatch: etag },
    );
    expect(res.status).toBe(200);
    const body = await customerBody(res);
    expect(res.headers.get('etag')).toBe(`"${current.version + 1}"`);
    expect(body).toMatchObject({
      version: current.version + 1,
      lastName: 'Durand',
      phone: '+33612345678',
      addresses: { home: { line1: '2 rue de la Paix', line2: null } },
    });

    const changes = await prisma.profileChange.findMany({
      where: { customerId: customer.id },
      select: { attribute: true, channel: true, version: true },
    });
    expect(changes.map((c) => c.attribute).sort()).toEqual(['address.home', 'lastName', 'phone']);
    expect(changes.every((c) => c.channel === app.name && c.version === current.version + 1)).toBe(true);
    const events = await prisma.outboxEvent.findMany({
      where: { customerId: customer.id, type: 'customer.updated' },
      select: { payload: true },
    });
    expect(events).toEqual([{ payload: expect.objectContaining({ channel: app.name, version: current.version + 1 }) }]);

    // application/merge-patch+json is accepted too; the same If-Match is now stale.
    const stale = await patchCustomer(
      token,
      customer.id,
      { lastName: 'Martin' },
      { ifMatch: etag, contentType: 'application/merge-patch+json' },
    );
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe(`"${current.version + 1}"`);
    expect(await problemOf(stale)).toMatchObject({ title: 'The customer changed since the version in If-Match' });
    expect((await writeTrace(customer.id)).version).toBe(current.version + 1);
  });

  it('requires If-Match (428), refuses a stale one even for a write that changes nothing (412)', async () => {
    const { app } = await registerApp({ tag: 'ifmatch' });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail(), lastName: 'Petit' });
    const { version } = await writeTrace(customer.id);
    const before = await writeTrace(customer.id);

    const missing = await patchCustomer(token, customer.id, { lastName: 'Grand' });
    expect(missing.status).toBe(428);
    await problemOf(missing);
    const star = await patchCustomer(token, customer.id, { lastName: 'Grand' }, { ifMatch: '*' });
    expect(star.status).toBe(428);
    for (const bad of ['W/"1"', '1', '"1", "2"', '"abc"', '""']) {
      const res = await patchCustomer(token, customer.id, { lastName: 'Grand' }, { ifMatch: bad });
      expect(res.status, bad).toBe(400);
      expect((await problemOf(res)).errors?.[0]?.parameter).toBe('If-Match');
    }
    const unchangedButStale = await patchCustomer(
      token,
      customer.id,
      { lastName: 'Petit' },
      { ifMatch: `"${version! - 1}"` },
    );
    expect(unchangedButStale.status).toBe(412);
    const ahead = await patchCustomer(token, customer.id, { lastName: 'Grand' }, { ifMatch: `"${version! + 5}"` });
    expect(ahead.status).toBe(412);
    expect(await writeTrace(customer.id)).toEqual(before);

    const same = await patchCustomer(token, customer.id, { lastName: 'Petit' }, { ifMatch: `"${version}"` });
    expect(same.status).toBe(200);
    expect(same.headers.get('etag')).toBe(`"${version}"`);
    expect(await writeTrace(customer.id)).toEqual(before);
  });

  it('lets two apps race: one wins, the other gets 412 and nothing of it is written', async () => {
    const { app } = await registerApp({ tag: 'race' });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail() });
    const etag = `"${(await writeTrace(customer.id)).version}"`;
    const results = await Promise.all(
      ['Alpha', 'Beta', 'Gamma', 'Delta'].map((lastName) =>
        patchCustomer(token, customer.id, { lastName }, { ifMatch: etag }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412]);
    expect((await writeTrace(customer.id)).changes).toBe(1);
  });

  it('writes only fields the app may see of this customer (403), locale only with preferences:write', async () => {
    const { app } = await registerApp({
      tag: 'narrow',
      purposes: 'service,marketing-emails',
      fields: 'name,phone:marketing-emails,locale',
      scopes: ['customers:read', 'customers:write'],
    });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail(), address });
    const etag = `"${(await writeTrace(customer.id)).version}"`;
    const before = await writeTrace(customer.id);

    const phone = await patchCustomer(token, customer.id, { phone: '+33612345678', lastName: 'Ok' }, { ifMatch: etag });
    expect(phone.status).toBe(403);
    expect(await problemOf(phone)).toMatchObject({ errors: [{ pointer: '/phone', code: 'field.notVisible' }] });
    const addresses = await patchCustomer(token, customer.id, { addresses: { billing: address } }, { ifMatch: etag });
    expect(addresses.status).toBe(403);
    expect((await problemOf(addresses)).errors?.[0]?.pointer).toBe('/addresses/billing');
    const locale = await patchCustomer(token, customer.id, { locale: 'fr' }, { ifMatch: etag });
    expect(locale.status).toBe(403);
    expect(locale.headers.get('www-authenticate')).toBe(
      'Bearer realm="accord-api", error="insufficient_scope", scope="preferences:write"',
    );
    expect(await writeTrace(customer.id)).toEqual(before);

    // Once the customer grants the purpose, the phone becomes writable.
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    const granted = await patchCustomer(token, customer.id, { phone: '+33612345678' }, { ifMatch: etag });
    expect(granted.status).toBe(200);

    const prefs = await registerApp({ tag: 'prefs', fields: 'name,locale' });
    const next = `"${(await writeTrace(customer.id)).version}"`;
    const ok = await patchCustomer(await tokenFor(prefs.app), customer.id, { locale: 'fr' }, { ifMatch: next });
    expect(ok.status).toBe(200);
    expect((await customerBody(ok)).locale).toBe('fr');
  });
});

describe('GET /api/v1/customers/{id}/consents', () => {
  beforeAll(ensureConsentPurposes);

  it("lists the app's purposes with the customer's answers, and logs the read", async () => {
    const { app } = await registerApp({
      tag: 'consents',
      purposes: 'service,marketing-emails,analytics',
      fields: 'name',
      scopes: ['customers:read'],
    });
    const token = await tokenFor(app);
    const customer = await createCustomer({ email: uniqueEmail() });
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: true },
      { channel: 'portal', collectionMethod: 'test' },
    );
    await setConsent(
      customer.id,
      { purposeKey: 'marketing-emails', version: 1, granted: false },
      { channel: 'portal', collectionMethod: 'test' },
    );

    const res = await getConsents(token, customer.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = CustomerConsentsSchema.parse(await res.json());
    expect(body).toEqual({
      customerId: customer.id,
      purposes: [
        { purpose: 'terms-of-service', granted: true, version: 1, currentVersion: 1, answeredAt: expect.any(String) },
        { purpose: 'marketing-emails', granted: false, version: 1, currentVersion: 1, answeredAt: expect.any(String) },
        { purpose: 'analytics', granted: false, version: null, currentVersion: 1, answeredAt: null },
      ],
    });
    expect(await accessLog(customer.id)).toEqual([
      { accessorId: app.clientId, accessorName: app.name, fields: ['consents'], purpose: 'terms-of-service' },
    ]);

    expect((await getConsents(token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await getConsents(token, 'nope')).status).toBe(404);
    expect((await getConsents(null, customer.id)).status).toBe(401);
  });
});
