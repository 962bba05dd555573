import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppInputError, createApp, findApp, updateAppSignIn, type AppInput } from '@/server/apps/registry';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { prisma } from '@/server/platform/db';
import { TEST_ACTOR } from '@/tests/factories';

// The sign-in settings of the apps registry (issue 17 item 5): what the
// provider's clients are made of, refused with a field and a message key when wrong.

// As in production: server/platform/env.ts reads this on first use, after this line.
process.env.WEBHOOK_ALLOW_PRIVATE = '0';
afterAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
});

const uniqueName = () => `shop-${randomUUID().slice(0, 8)}`;

const client = (extra: Partial<AppInput> = {}): AppInput => ({
  name: uniqueName(),
  purposes: 'service,marketing-emails',
  fields: 'name,email:marketing-emails',
  redirectUris: 'https://shop.example.com/auth/callback, http://localhost:4300/callback',
  postLogoutRedirectUris: 'https://shop.example.com/signed-out',
  clientType: 'public',
  oidcScopes: 'openid,profile,email,offline_access',
  requiredClaims: 'name,given_name',
  optionalClaims: 'email,email_verified',
  backchannelLogoutUri: 'https://shop.example.com/backchannel-logout',
  ...extra,
});

async function refusal(input: AppInput): Promise<Record<string, string>> {
  try {
    await createApp(input, TEST_ACTOR);
  } catch (error) {
    expect(error).toBeInstanceOf(AppInputError);
    return (error as AppInputError).fieldErrors;
  }
  throw new Error(`created ${input.name}, expected a refusal`);
}

describe('apps registry: sign-in settings', () => {
  beforeAll(ensureConsentPurposes);

  it('stores an OpenID client: redirect and post-logout URIs, client type, scopes, claims, back-channel logout URL', async () => {
    const { app } = await createApp(client(), TEST_ACTOR);
    expect(app).toMatchObject({
      redirectUris: ['https://shop.example.com/auth/callback', 'http://localhost:4300/callback'],
      postLogoutRedirectUris: ['https://shop.example.com/signed-out'],
      clientType: 'public',
      oidcScopes: ['openid', 'profile', 'email', 'offline_access'],
      requiredClaims: ['name', 'given_name'],
      optionalClaims: ['email', 'email_verified'],
      backchannelLogoutUri: 'https://shop.example.com/backchannel-logout',
    });
    expect(await findApp(app.clientId)).toMatchObject({ redirectUris: app.redirectUris, clientType: 'public' });
    const audit = await prisma.auditLog.findFirstOrThrow({
      where: { action: 'app.create', objectId: app.clientId },
      select: { details: true },
    });
    expect(audit.details).toMatchObject({
      redirectUris: app.redirectUris,
      optionalClaims: ['email', 'email_verified'],
    });
  });

  it('keeps a client-credentials app as it was: no redirect URI, confidential, no scope or claim', async () => {
    const { app } = await createApp({ name: uniqueName(), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    expect(app).toMatchObject({
      redirectUris: [],
      postLogoutRedirectUris: [],
      clientType: 'confidential',
      oidcScopes: [],
      requiredClaims: [],
      optionalClaims: [],
      backchannelLogoutUri: null,
    });
  });

  it.each<[string, Partial<AppInput>, string, string]>([
    ['an http redirect URI off this machine', { redirectUris: 'http://shop.example.com/cb' }, 'redirectUris', 'https'],
    ['a redirect URI with a fragment', { redirectUris: 'https://shop.example.com/cb#x' }, 'redirectUris', 'fragment'],
    [
      'a redirect URI with credentials',
      { redirectUris: 'https://user:pw@shop.example.com/cb' },
      'redirectUris',
      'fragment',
    ],
    ['a javascript: redirect URI', { redirectUris: 'javascript:alert(1)' }, 'redirectUris', 'invalid'],
    ['a relative redirect URI', { redirectUris: '/callback' }, 'redirectUris', 'invalid'],
    [
      'eleven redirect URIs',
      { redirectUris: Array.from({ length: 11 }, (_, i) => `https://shop.example.com/cb${i}`) },
      'redirectUris',
      'tooMany',
    ],
    [
      'a post-logout URI with a fragment',
      { postLogoutRedirectUris: 'https://shop.example.com/out#x' },
      'postLogoutRedirectUris',
      'fragment',
    ],
    ['an unknown client type', { clientType: 'spa' as 'public' }, 'clientType', 'invalid'],
    ['an unknown scope', { oidcScopes: 'openid,admin' }, 'oidcScopes', 'invalid'],
    ['scopes without openid', { oidcScopes: 'profile,email' }, 'oidcScopes', 'openid'],
    ['an unknown claim', { requiredClaims: 'name,birthdate' }, 'requiredClaims', 'invalid'],
    ['a claim both required and optional', { optionalClaims: 'email,name' }, 'optionalClaims', 'both'],
    // The app declares name and email: a phone claim would read a field it never said it uses.
    [
      'a claim of an undeclared field',
      { oidcScopes: 'openid,profile,email,phone', optionalClaims: 'phone_number' },
      'optionalClaims',
      'undeclared',
    ],
    ['a claim without its scope', { oidcScopes: 'openid,profile' }, 'optionalClaims', 'scope'],
    [
      'sign-in settings without a redirect URI',
      { redirectUris: [], postLogoutRedirectUris: [], requiredClaims: [], optionalClaims: [] },
      'oidcScopes',
      'redirectUris.required',
    ],
    [
      'a back-channel logout URL over http',
      { backchannelLogoutUri: 'http://shop.example.com/logout' },
      'backchannelLogoutUri',
      'https',
    ],
    // Checked like webhook URLs (server/apps/webhooks/destination.ts): the server sends to it.
    [
      'a back-channel logout URL on a private address',
      { backchannelLogoutUri: 'https://169.254.169.254/latest' },
      'backchannelLogoutUri',
      'private',
    ],
    [
      'a back-channel logout URL on this machine (WEBHOOK_ALLOW_PRIVATE unset)',
      { backchannelLogoutUri: 'http://localhost:4300/logout' },
      'backchannelLogoutUri',
      'private',
    ],
  ])('refuses %s, saying which field and why, and registers nothing', async (_, extra, field, key) => {
    const input = client(extra);
    const errors = await refusal(input);
    const expected = key.includes('.') ? key : `${field}.${key}`;
    expect(errors[field]).toBe(`console.apps.errors.${expected}`);
    expect(await prisma.app.count({ where: { name: input.name } })).toBe(0);
  });
});

describe('apps registry: changing the sign-in settings', () => {
  beforeAll(ensureConsentPurposes);

  it('replaces them all, audited; a claim of a field the app does not declare is refused; none left makes it a client-credentials app', async () => {
    const { app } = await createApp({ name: uniqueName(), purposes: 'service', fields: 'name' }, TEST_ACTOR);
    const updated = await updateAppSignIn(
      {
        clientId: app.clientId,
        redirectUris: 'https://shop.example.com/cb',
        oidcScopes: 'openid,profile',
        requiredClaims: 'given_name',
      },
      TEST_ACTOR,
    );
    expect(updated).toMatchObject({
      redirectUris: ['https://shop.example.com/cb'],
      clientType: 'confidential',
      oidcScopes: ['openid', 'profile'],
      requiredClaims: ['given_name'],
      optionalClaims: [],
    });
    expect(await prisma.auditLog.count({ where: { action: 'app.sign-in.update', objectId: app.clientId } })).toBe(1);

    // The app declared the name only: the email claim would read a field it never said it uses.
    const refused = updateAppSignIn(
      {
        clientId: app.clientId,
        redirectUris: 'https://shop.example.com/cb',
        oidcScopes: 'openid,email',
        optionalClaims: 'email',
      },
      TEST_ACTOR,
    );
    await expect(refused).rejects.toMatchObject({
      fieldErrors: { optionalClaims: 'console.apps.errors.optionalClaims.undeclared' },
    });
    expect((await findApp(app.clientId))?.optionalClaims).toEqual([]);

    expect(await updateAppSignIn({ clientId: app.clientId }, TEST_ACTOR)).toMatchObject({
      redirectUris: [],
      oidcScopes: [],
      requiredClaims: [],
    });
    expect(await updateAppSignIn({ clientId: 'app_AAAAAAAAAAAAAAAA' }, TEST_ACTOR)).toBeNull();
  });
});

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

describe('npm run apps -- create with sign-in settings', () => {
  it('registers an OpenID client from the options and lists its settings; a wrong option is a clear message', async () => {
    const name = uniqueName();
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'scripts/apps.ts', ...args], {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: '', WEBHOOK_ALLOW_PRIVATE: '1' },
      });
    const created = await cli(
      'create',
      '--name',
      name,
      '--purposes',
      'service',
      '--fields',
      'name,email',
      '--redirect-uris',
      'https://checkbook.example.com/cb,http://localhost:4300/cb',
      '--post-logout-redirect-uris',
      'https://checkbook.example.com/',
      '--client-type',
      'confidential',
      '--oidc-scopes',
      'openid,profile,email',
      '--required-claims',
      'name',
      '--optional-claims',
      'email',
      '--backchannel-logout-uri',
      'http://localhost:4300/backchannel-logout',
    );
    expect(created.stdout).toContain(`Registered ${name}.`);
    expect(await prisma.app.findUniqueOrThrow({ where: { name } })).toMatchObject({
      redirectUris: ['https://checkbook.example.com/cb', 'http://localhost:4300/cb'],
      postLogoutRedirectUris: ['https://checkbook.example.com/'],
      oidcScopes: ['openid', 'profile', 'email'],
      requiredClaims: ['name'],
      optionalClaims: ['email'],
      backchannelLogoutUri: 'http://localhost:4300/backchannel-logout',
    });
    const listed = (await cli('list')).stdout;
    expect(listed).toContain('redirect URIs https://checkbook.example.com/cb http://localhost:4300/cb');
    expect(listed).toContain('claims: required name; optional email');

    const refused = await cli(
      'create',
      '--name',
      uniqueName(),
      '--purposes',
      'service',
      '--fields',
      'name',
      '--redirect-uris',
      'https://checkbook.example.com/cb#frag',
      '--oidc-scopes',
      'openid',
    ).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('redirectUris: A redirect URI cannot hold a fragment'),
    });
  });
});
