import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { ensureConsentPurposes } from '@/server/consent/purposes';
import { createCustomer } from '@/tests/factories';

import { registerApp } from './api-helpers';
import { uniqueIp } from './helpers';

// The environment is read once per module instance (getEnv): each phase of a
// rotation gets fresh server/ modules over the same database.
const OLD = 'old-secret-old-secret-old-secret-0123';
const NEW = 'new-secret-new-secret-new-secret-4567';
const NAMES = ['AUTH_SECRET', 'AUTH_SECRET_PREVIOUS', 'PSEUDONYM_SECRET'] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

async function withSecrets(secrets: Partial<Record<(typeof NAMES)[number], string>>) {
  for (const name of NAMES) {
    if (secrets[name] === undefined) delete process.env[name];
    else process.env[name] = secrets[name];
  }
  vi.resetModules();
  return {
    signIn: await import('@/server/identity/sign-in'),
    crypto: await import('@/server/platform/crypto'),
    oauth: await import('@/server/apps/oauth'),
    factories: await import('@/tests/factories'),
  };
}

const before = () => withSecrets({ AUTH_SECRET: OLD });
const during = () => withSecrets({ AUTH_SECRET: NEW, AUTH_SECRET_PREVIOUS: OLD, PSEUDONYM_SECRET: OLD });
const after = () => withSecrets({ AUTH_SECRET: NEW, PSEUDONYM_SECRET: OLD });

const apiRequest = (token: string) =>
  new Request('http://localhost:3000/api/v1/customers', { headers: { authorization: `Bearer ${token}` } });

describe('rotating AUTH_SECRET with AUTH_SECRET_PREVIOUS', () => {
  beforeAll(ensureConsentPurposes);
  afterAll(() => {
    for (const name of NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    vi.resetModules();
  });

  it('accepts a code sent before the rotation during the window, and not after it', async () => {
    const { factories } = await before();
    const first = await factories.createSignInChallenge();
    const second = await factories.createSignInChallenge();

    expect((await (await during()).signIn.verifyCode(first.id, first.code, uniqueIp())).ok).toBe(true);
    expect((await (await after()).signIn.verifyCode(second.id, second.code, uniqueIp())).ok).toBe(false);
  });

  it('accepts an API token signed before the rotation during the window, and not after it', async () => {
    const { app } = await registerApp({ tag: 'rotation' });
    const { oauth } = await before();
    const { accessToken } = await oauth.issueAccessToken(app, ['customers:read']);

    expect((await (await during()).oauth.authenticateApp(apiRequest(accessToken), 'customers:read')).ok).toBe(true);
    expect((await (await after()).oauth.authenticateApp(apiRequest(accessToken), 'customers:read')).ok).toBe(false);
    const fresh = await (await after()).oauth.issueAccessToken(app, ['customers:read']);
    expect((await (await after()).oauth.authenticateApp(apiRequest(fresh.accessToken), 'customers:read')).ok).toBe(
      true,
    );
  });

  it('keeps consent receipts naming the customer by the same pseudonym', async () => {
    const customer = await createCustomer();
    const pseudonymBefore = (await before()).crypto.subjectPseudonym(customer.id);
    expect((await during()).crypto.subjectPseudonym(customer.id)).toBe(pseudonymBefore);
    expect((await after()).crypto.subjectPseudonym(customer.id)).toBe(pseudonymBefore);
  });
});
