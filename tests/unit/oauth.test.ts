import { describe, expect, it } from 'vitest';

import { basicCredentials, bearerChallenge, grantScopes } from '@/server/apps/oauth';

// The pure parts of the token endpoint and the bearer check; the endpoint
// itself is tested over a real database in tests/integration/api-token.test.ts.

const withAuthorization = (value?: string) =>
  new Request(
    'https://accounts.example/api/oauth/token',
    value === undefined ? {} : { headers: { authorization: value } },
  );
const basic = (raw: string) => `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;

describe('basicCredentials (client_secret_basic, RFC 6749 section 2.3.1)', () => {
  it('is null without an Authorization header: the body may carry the credentials', () => {
    expect(basicCredentials(withAuthorization())).toBeNull();
  });

  it('reads client_id:client_secret, splitting on the first colon only', () => {
    expect(basicCredentials(withAuthorization(basic('app_1:s3cr:et')))).toEqual({
      clientId: 'app_1',
      clientSecret: 's3cr:et',
    });
  });

  it('form-decodes each part, as the RFC requires of clients', () => {
    expect(basicCredentials(withAuthorization(basic('my%20app:a+b%2Bc%3A')))).toEqual({
      clientId: 'my app',
      clientSecret: 'a b+c:',
    });
  });

  it('accepts the scheme in any case and extra spaces around the value', () => {
    expect(basicCredentials(withAuthorization(`bAsIc   ${Buffer.from('a:b').toString('base64')}  `))).toEqual({
      clientId: 'a',
      clientSecret: 'b',
    });
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['no value', 'Basic '],
    ['not base64', 'Basic !!!'],
    ['no colon', basic('just-an-id')],
    ['a broken percent escape', basic('app:%E0%A4%A')],
  ])('calls %s malformed', (_, header) => {
    expect(basicCredentials(withAuthorization(header))).toBe('malformed');
  });

  it('keeps empty parts for the caller to refuse (an empty secret is a wrong secret)', () => {
    expect(basicCredentials(withAuthorization(basic(':')))).toEqual({ clientId: '', clientSecret: '' });
  });
});

describe('bearerChallenge (RFC 6750 section 3)', () => {
  it('names the realm alone when the request carried no token', () => {
    expect(bearerChallenge({})).toBe('Bearer realm="accord-api"');
  });

  it('adds each parameter as a quoted string', () => {
    expect(bearerChallenge({ error: 'insufficient_scope', scope: 'customers:write' })).toBe(
      'Bearer realm="accord-api", error="insufficient_scope", scope="customers:write"',
    );
  });

  it('never lets a value close its quotes or escape', () => {
    const header = bearerChallenge({ error_description: 'send "Authorization: Bearer <token>" \\ now' });
    expect(header).toBe(`Bearer realm="accord-api", error_description="send 'Authorization: Bearer <token>' ' now"`);
  });
});

describe('grantScopes', () => {
  const registered = ['customers:read', 'customers:write'] as const;

  it('gives every scope of the app when the request names none', () => {
    expect(grantScopes(undefined, [...registered])).toEqual({
      ok: true,
      scopes: ['customers:read', 'customers:write'],
    });
  });

  it('gives the subset asked for, deduplicated, in a fixed order, whatever the spacing', () => {
    expect(grantScopes('customers:write  customers:read customers:write', [...registered])).toEqual({
      ok: true,
      scopes: ['customers:read', 'customers:write'],
    });
    expect(grantScopes(' customers:read ', [...registered])).toEqual({ ok: true, scopes: ['customers:read'] });
  });

  it('refuses a scope the app was not registered with, or one that does not exist', () => {
    expect(grantScopes('customers:read preferences:write', [...registered])).toEqual({
      ok: false,
      refused: ['preferences:write'],
    });
    expect(grantScopes('admin', [...registered])).toEqual({ ok: false, refused: ['admin'] });
    // Case matters: scopes are compared exactly.
    expect(grantScopes('Customers:Read', [...registered])).toEqual({ ok: false, refused: ['Customers:Read'] });
  });

  it('refuses an empty list (a scope parameter of spaces)', () => {
    expect(grantScopes('   ', [...registered])).toEqual({ ok: false, refused: [] });
  });
});
