import { beforeAll, describe, expect, it, vi } from 'vitest';

import { answer } from '@/server/apps/api/customers';
import { CustomerSchema } from '@/server/apps/api/schemas';
import { issueAccessToken } from '@/server/apps/oauth';
import { setAppDisabled } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { getLogger } from '@/server/platform/log';
import { createCustomer, TEST_ACTOR } from '@/tests/factories';

import {
  getCustomer,
  listCustomers,
  patchCustomer,
  problemOf,
  registerApp,
  tokenFor,
  writeTrace,
  type PatchOptions,
} from './api-helpers';
import { uniqueEmail } from './helpers';

// Bad input an app can send: wrong or expired tokens, a disabled app's token,
// missing scopes, malformed JSON, unknown fields, over-long values, SQL and
// script in every field. Each is a 4xx problem with nothing written, never a 500.

const SCRIPT = '<script>alert(1)</script>';
const SQL = "'; DROP TABLE customers;--";
const address = { country: 'FR', line1: '1 rue de la Paix', line2: '', postalCode: '75002', city: 'Paris' };
const TEXT_FIELDS = ['firstName', 'lastName', 'phone', 'locale'] as const;
// Every address field: coded ones refuse script and SQL, free text keeps them as text.
const CODED_ADDRESS_FIELDS = ['country', 'postalCode'] as const;
const FREE_TEXT_ADDRESS_FIELDS = ['line1', 'line2', 'city'] as const;

type Case = {
  label: string;
  status: number;
  body?: unknown;
  opts?: PatchOptions;
  token?: 'read-only' | 'expired' | 'disabled' | 'garbage' | 'none';
  id?: 'other' | string;
};

const long = (n: number) => 'a'.repeat(n);

const cases: Case[] = [
  { label: 'malformed JSON', status: 400, opts: { raw: '{"lastName": "Durand"' } },
  { label: 'empty body', status: 400, opts: { raw: '' } },
  { label: 'JSON with a trailing comma', status: 400, opts: { raw: '{"lastName": "Durand",}' } },
  { label: 'not UTF-8', status: 400, opts: { raw: undefined } },
  { label: 'a JSON array', status: 422, body: [{ lastName: 'Durand' }] },
  { label: 'a JSON string', status: 422, body: 'lastName=Durand' },
  { label: 'JSON null', status: 422, body: null },
  { label: 'an unknown field', status: 422, body: { lastName: 'Durand', nickname: 'Duke' } },
  { label: 'the email (not writable here)', status: 422, body: { email: 'other@example.com' } },
  { label: 'an unknown address kind', status: 422, body: { addresses: { office: address } } },
  { label: '__proto__ member', status: 422, opts: { raw: '{"__proto__": {"admin": true}, "lastName": "Durand"}' } },
  { label: 'a number for a name', status: 422, body: { firstName: 42 } },
  { label: 'an object for a phone', status: 422, body: { phone: { number: '+33612345678' } } },
  { label: 'an address as a string', status: 422, body: { addresses: { home: '1 rue de la Paix, Paris' } } },
  { label: 'an unknown country', status: 422, body: { addresses: { home: { ...address, country: 'XX' } } } },
  {
    label: 'a postcode of another country',
    status: 422,
    body: { addresses: { home: { ...address, postalCode: 'SW1A 1AA' } } },
  },
  { label: 'an invalid phone number', status: 422, body: { phone: '+33 1' } },
  { label: 'a national phone number', status: 422, body: { phone: '06 12 34 56 78' } },
  { label: 'an empty first name', status: 422, body: { firstName: '   ' } },
  { label: 'a null first name', status: 422, body: { firstName: null } },
  { label: 'an unknown locale', status: 422, body: { locale: 'de' } },
  { label: 'an over-long first name', status: 422, body: { firstName: long(101) } },
  { label: 'an over-long last name', status: 422, body: { lastName: long(101) } },
  { label: 'an over-long phone', status: 422, body: { phone: `+33${'6'.repeat(40)}` } },
  { label: 'an over-long address line', status: 422, body: { addresses: { home: { ...address, line1: long(201) } } } },
  { label: 'an over-long second line', status: 422, body: { addresses: { home: { ...address, line2: long(201) } } } },
  { label: 'an over-long city', status: 422, body: { addresses: { home: { ...address, city: long(101) } } } },
  {
    label: 'an over-long postcode',
    status: 422,
    body: { addresses: { home: { ...address, postalCode: '7'.repeat(17) } } },
  },
  { label: 'a 1 MB value', status: 413, body: { lastName: long(1_000_000) } },
  {
    label: 'a control character in an address',
    status: 422,
    body: { addresses: { home: { ...address, line1: '1 rue\u0000de la Paix' } } },
  },
  {
    label: 'a bidirectional override in a city',
    status: 422,
    body: { addresses: { home: { ...address, city: 'Paris\u202Egnp.exe' } } },
  },
  ...TEXT_FIELDS.flatMap((field) => [
    { label: `script in ${field}`, status: 422, body: { [field]: SCRIPT } },
    { label: `SQL in ${field}`, status: 422, body: { [field]: SQL } },
  ]),
  ...CODED_ADDRESS_FIELDS.flatMap((field) => [
    {
      label: `script in address ${field}`,
      status: 422,
      body: { addresses: { home: { ...address, [field]: SCRIPT } } },
    },
    { label: `SQL in address ${field}`, status: 422, body: { addresses: { home: { ...address, [field]: SQL } } } },
  ]),
  { label: 'text/plain', status: 415, body: { lastName: 'Durand' }, opts: { contentType: 'text/plain' } },
  { label: 'a form', status: 415, opts: { contentType: 'application/x-www-form-urlencoded', raw: 'lastName=Durand' } },
  { label: 'no content type', status: 415, body: { lastName: 'Durand' }, opts: { contentType: null } },
  { label: 'no If-Match', status: 428, body: { lastName: 'Durand' }, opts: { ifMatch: null } },
  { label: 'SQL in If-Match', status: 400, body: { lastName: 'Durand' }, opts: { ifMatch: `"1"; ${SQL}` } },
  { label: 'a stale If-Match', status: 412, body: { lastName: 'Durand' }, opts: { ifMatch: '"0"' } },
  { label: 'no token', status: 401, body: { lastName: 'Durand' }, token: 'none' },
  { label: 'a garbage token', status: 401, body: { lastName: 'Durand' }, token: 'garbage' },
  { label: 'an expired token', status: 401, body: { lastName: 'Durand' }, token: 'expired' },
  { label: "a disabled app's token", status: 401, body: { lastName: 'Durand' }, token: 'disabled' },
  { label: 'a read-only token', status: 403, body: { lastName: 'Durand' }, token: 'read-only' },
  { label: "another customer's id (withdrawn)", status: 404, body: { lastName: 'Durand' }, id: 'other' },
  { label: 'a non-uuid id', status: 404, body: { lastName: 'Durand' }, id: 'not-a-uuid' },
  { label: 'SQL as the id', status: 404, body: { lastName: 'Durand' }, id: SQL },
  { label: 'a path as the id', status: 404, body: { lastName: 'Durand' }, id: '../../etc/passwd' },
];

describe('bad input to the API: a 4xx problem, nothing written, no 500', () => {
  let tokens: Record<'valid' | 'read-only' | 'expired' | 'disabled' | 'garbage', string>;
  let customerId: string;
  let otherId: string;

  beforeAll(async () => {
    await ensureConsentPurposes();
    const { app } = await registerApp({ tag: 'bad' });
    const disabled = await registerApp({ tag: 'bad-disabled' });
    const now = Math.floor(Date.now() / 1000);
    tokens = {
      valid: await tokenFor(app),
      'read-only': await tokenFor(app, ['customers:read']),
      expired: (await issueAccessToken(app, app.scopes, { now: now - 3600, ttlSeconds: 600 })).accessToken,
      disabled: await tokenFor(disabled.app),
      garbage: `${SQL}${SCRIPT}`,
    };
    await setAppDisabled(disabled.app.clientId, true, TEST_ACTOR);
    customerId = (await createCustomer({ email: uniqueEmail('bad'), lastName: 'Petit', address })).id;
    otherId = (await createCustomer({ email: uniqueEmail('bad-other') })).id;
    await prisma.appAccessWithdrawal.create({ data: { customerId: otherId, appId: app.id } });
  });

  it.each(cases)('$label → $status', async (c) => {
    const id = c.id === 'other' ? otherId : (c.id ?? customerId);
    const before = await Promise.all([writeTrace(customerId), writeTrace(otherId)]);
    const version = before[0].version!;
    const token = c.token === 'none' ? null : tokens[c.token ?? 'valid'];
    const opts: PatchOptions = { ifMatch: `"${version}"`, ...c.opts };
    const res =
      c.label === 'not UTF-8'
        ? await patchRaw(token!, id, new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), `"${version}"`)
        : await patchCustomer(token, id, c.body, opts);

    expect(res.status).toBe(c.status);
    const problem = await problemOf(res);
    if (c.status === 422) expect(problem.errors?.length).toBeGreaterThan(0);
    expect(await Promise.all([writeTrace(customerId), writeTrace(otherId)])).toEqual(before);
    expect(
      Number((await prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM customers`)[0]!.n),
    ).toBeGreaterThan(0);
  });

  it('names each refused member with a JSON pointer and a stable code', async () => {
    const { version } = await writeTrace(customerId);
    const res = await patchCustomer(
      tokens.valid,
      customerId,
      {
        firstName: long(101),
        lastName: SQL,
        nickname: 'x',
        email: 'a@example.com',
        addresses: { home: { ...address, city: '', unknown: 1 } },
      },
      { ifMatch: `"${version}"` },
    );
    expect(res.status).toBe(422);
    const { errors } = await problemOf(res);
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          pointer: '/firstName',
          code: 'firstName.tooLong',
          detail: 'A first name can be at most 100 characters long.',
        },
        { pointer: '/lastName', code: 'lastName.invalid', detail: expect.any(String) },
        { pointer: '/nickname', code: 'unknownField', detail: expect.any(String) },
        { pointer: '/email', code: 'unknownField', detail: expect.stringContaining('not writable') },
        { pointer: '/addresses/home/city', code: 'city.required', detail: 'Enter the town or city.' },
        { pointer: '/addresses/home/unknown', code: 'unknownField', detail: expect.any(String) },
      ]),
    );
  });

  it('keeps script and SQL in free-text address fields as inert text, byte for byte', async () => {
    for (const field of FREE_TEXT_ADDRESS_FIELDS) {
      for (const value of [SCRIPT, `12 ${SQL}`, 'Rue "des" <b>Fleurs</b> & Cie']) {
        const { version } = await writeTrace(customerId);
        const res = await patchCustomer(
          tokens.valid,
          customerId,
          { addresses: { home: { ...address, [field]: value } } },
          { ifMatch: `"${version}"` },
        );
        expect(res.status, `${field}: ${value}`).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json');
        const body = CustomerSchema.parse(await res.json());
        expect(body.addresses!.home![field]).toBe(value);
        const stored = await prisma.address.findUniqueOrThrow({
          where: { customerId_kind: { customerId, kind: 'home' } },
          select: { [field]: true },
        });
        expect(stored[field]).toBe(value);
      }
    }
  });

  it('answers bad reads with 4xx problems too', async () => {
    for (const id of [SQL, SCRIPT, 'a'.repeat(10_000), '%00', '00000000-0000-0000-0000-00000000000g']) {
      const res = await getCustomer(tokens.valid, id);
      expect(res.status, id.slice(0, 20)).toBe(404);
      await problemOf(res);
    }
    for (const query of [
      `?email=${encodeURIComponent(SQL)}`,
      `?email=${encodeURIComponent(SCRIPT)}@x.fr`,
      `?limit=${encodeURIComponent(SQL)}`,
      `?cursor=${encodeURIComponent(SCRIPT)}`,
    ]) {
      const res = await listCustomers(tokens.valid, query);
      expect(res.status, query).toBe(400);
      await problemOf(res);
    }
    for (const token of [tokens.expired, tokens.garbage, tokens.disabled]) {
      const res = await listCustomers(token);
      expect(res.status).toBe(401);
      await problemOf(res);
    }
  });
});

describe('an unexpected error', () => {
  it('is a 500 problem with the request id as errorId and nothing of the error itself', async () => {
    const logged = vi.spyOn(getLogger(), 'error').mockImplementation(() => {});
    const requestId = '0b7d4c55-3f0e-4e51-8f43-4a3f6a4e9b21';
    try {
      const request = new Request('http://localhost:3000/api/v1/customers', { headers: { 'x-request-id': requestId } });
      const res = await answer(request, async () => {
        throw new Error('connection to 10.0.0.5 failed: password authentication for "accord_admin"');
      });
      expect(res.status).toBe(500);
      const text = await res.clone().text();
      expect(text).not.toMatch(/10\.0\.0\.5|accord_admin|at .*\.ts|Error/);
      const body = await problemOf(res);
      expect(body).toEqual({
        type: expect.any(String),
        title: 'Internal error',
        status: 500,
        instance: '/api/v1/customers',
        errorId: requestId,
      });
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({ errorId: requestId, err: expect.any(Error) }),
        'unexpected error',
      );
    } finally {
      logged.mockRestore();
    }
  });
});

async function patchRaw(token: string, id: string, body: Uint8Array<ArrayBuffer>, ifMatch: string): Promise<Response> {
  const { PATCH } = await import('@/app/api/v1/customers/[id]/route');
  return PATCH(
    new Request(`http://localhost:3000/api/v1/customers/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': ifMatch },
      body,
    }),
    { params: Promise.resolve({ id }) },
  );
}
