import { describe, expect, it } from 'vitest';

import {
  CustomerIdSchema,
  CustomerListQuerySchema,
  CustomerPatchSchema,
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  normalizeCustomerPatch,
  TokenRequestSchema,
} from '@/server/apps/api/schemas';

// The apps' API contract (server/apps/api/schemas.ts), which the routes
// validate with and the OpenAPI document is rendered from.

describe('normalizeCustomerPatch', () => {
  it('reads a missing or null line2 of each address as no second line', () => {
    expect(
      normalizeCustomerPatch({
        firstName: 'Ada',
        addresses: { home: { line1: '1 rue', line2: null }, billing: { line1: '2 rue' }, shipping: null },
      }),
    ).toEqual({
      firstName: 'Ada',
      addresses: { home: { line1: '1 rue', line2: '' }, billing: { line1: '2 rue', line2: '' }, shipping: null },
    });
  });

  it('keeps a line2 that is there', () => {
    const patch = { addresses: { home: { line1: '1 rue', line2: 'Bât. B' } } };
    expect(normalizeCustomerPatch(patch)).toEqual(patch);
  });

  it('hands anything else to the schema unchanged, for it to refuse', () => {
    for (const value of [null, 'text', 42, [], { addresses: null }, { addresses: ['x'] }, { addresses: 'home' }])
      expect(normalizeCustomerPatch(value)).toBe(value);
    const addressAsArray = { addresses: { home: ['line1'] } };
    expect(normalizeCustomerPatch(addressAsArray)).toEqual(addressAsArray);
  });

  it('does not change the object it was given', () => {
    const patch = { addresses: { home: { line1: '1 rue' } } };
    normalizeCustomerPatch(patch);
    expect(patch).toEqual({ addresses: { home: { line1: '1 rue' } } });
  });

  it('lets what an app read be sent back as it is', () => {
    const read = { country: 'FR', line1: '12 rue des Lilas', line2: null, postalCode: '75011', city: 'Paris' };
    expect(CustomerPatchSchema.parse({ addresses: { home: read } })).toEqual({
      addresses: { home: { ...read, line2: null } },
    });
  });
});

describe('CustomerIdSchema', () => {
  it('accepts any 8-4-4-4-12 hex id PostgreSQL takes, and nothing else', () => {
    expect(CustomerIdSchema.safeParse('01933f7e-1a2b-7c3d-0e4f-0123456789ab').success).toBe(true);
    for (const id of ['1', 'not-a-uuid', '01933f7e1a2b7c3d0e4f0123456789ab', "1' OR '1'='1"])
      expect(CustomerIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('CustomerListQuerySchema', () => {
  it('defaults the page size and coerces the query string', () => {
    expect(CustomerListQuerySchema.parse({})).toEqual({ limit: LIST_LIMIT_DEFAULT });
    expect(CustomerListQuerySchema.parse({ limit: '7', cursor: 'abc' })).toEqual({ limit: 7, cursor: 'abc' });
  });

  it.each([['0'], [String(LIST_LIMIT_MAX + 1)], ['2.5'], ['ten'], ['-1']])('refuses limit=%s', (limit) => {
    expect(CustomerListQuerySchema.safeParse({ limit }).success).toBe(false);
  });

  it('takes the largest page size', () => {
    expect(CustomerListQuerySchema.parse({ limit: String(LIST_LIMIT_MAX) }).limit).toBe(LIST_LIMIT_MAX);
  });

  it('refuses unknown parameters, a malformed email and an over-long cursor', () => {
    expect(CustomerListQuerySchema.safeParse({ page: '2' }).success).toBe(false);
    const email = CustomerListQuerySchema.safeParse({ email: 'not-an-email' });
    expect(email.error?.issues[0]?.message).toBe('email.invalid');
    expect(CustomerListQuerySchema.safeParse({ email: `${'a'.repeat(250)}@example.com` }).success).toBe(false);
    expect(CustomerListQuerySchema.safeParse({ cursor: 'c'.repeat(101) }).success).toBe(false);
  });
});

describe('TokenRequestSchema (RFC 6749 section 4.4.2)', () => {
  it('takes the client credentials grant and ignores unknown parameters', () => {
    expect(TokenRequestSchema.parse({ grant_type: 'client_credentials', scope: 'customers:read', extra: '1' })).toEqual(
      {
        grant_type: 'client_credentials',
        scope: 'customers:read',
        extra: '1',
      },
    );
  });

  it('refuses any other grant, or none', () => {
    for (const grant_type of ['password', 'authorization_code', 'CLIENT_CREDENTIALS'])
      expect(TokenRequestSchema.safeParse({ grant_type }).success).toBe(false);
    expect(TokenRequestSchema.safeParse({}).success).toBe(false);
  });
});
