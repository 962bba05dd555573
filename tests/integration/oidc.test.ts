import { afterAll, describe, expect, it } from 'vitest';

import {
  cancelPendingIdentityLink,
  completeIdentityLink,
  createPendingIdentityLink,
  decideOidcSignIn,
  getPendingIdentityLink,
  listIdentities,
  unlinkIdentity,
} from '@/server/identity/identities';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { parseOidcProviders } from '@/server/platform/env';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

// server/platform/env.ts reads this on first use, which comes after this line.
const OIDC_ENV = {
  AUTH_OIDC_ACME_ISSUER: 'https://id.acme.example',
  AUTH_OIDC_ACME_CLIENT_ID: 'accord',
  AUTH_OIDC_ACME_CLIENT_SECRET: 'secret',
  AUTH_OIDC_ACME_NAME: 'Acme ID',
};
Object.assign(process.env, OIDC_ENV);
afterAll(() => {
  for (const key of Object.keys(OIDC_ENV)) delete process.env[key];
});

function subject(): string {
  return `sub-${crypto.randomUUID()}`;
}

describe('OpenID providers from the environment', () => {
  it('reads any number of providers, ids lower-cased, sorted', () => {
    const { providers, issues } = parseOidcProviders({
      AUTH_OIDC_MICROSOFT_ISSUER: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
      AUTH_OIDC_MICROSOFT_CLIENT_ID: 'ms-id',
      AUTH_OIDC_MICROSOFT_CLIENT_SECRET: 'ms-secret',
      AUTH_OIDC_MICROSOFT_NAME: 'Microsoft',
      AUTH_OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
      AUTH_OIDC_GOOGLE_CLIENT_ID: 'g-id',
      AUTH_OIDC_GOOGLE_CLIENT_SECRET: 'g-secret',
      AUTH_OIDC_GOOGLE_NAME: 'Google',
      AUTH_SECRET: 'not a provider variable',
    });
    expect(issues).toEqual([]);
    expect(providers).toEqual([
      {
        id: 'google',
        name: 'Google',
        issuer: 'https://accounts.google.com',
        clientId: 'g-id',
        clientSecret: 'g-secret',
      },
      {
        id: 'microsoft',
        name: 'Microsoft',
        issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
        clientId: 'ms-id',
        clientSecret: 'ms-secret',
      },
    ]);
    expect(parseOidcProviders({})).toEqual({ providers: [], issues: [] });
  });

  it('names what a half-configured provider lacks', () => {
    const { providers, issues } = parseOidcProviders({
      AUTH_OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
      AUTH_OIDC_GOOGLE_CLIENT_ID: 'g-id',
    });
    expect(providers).toEqual([]);
    expect(issues).toEqual([expect.stringContaining('set AUTH_OIDC_GOOGLE_CLIENT_SECRET, AUTH_OIDC_GOOGLE_NAME too')]);
  });

  it('refuses an issuer over plain http except on this machine, and odd ids', () => {
    const provider = (id: string, issuer: string) => ({
      [`AUTH_OIDC_${id}_ISSUER`]: issuer,
      [`AUTH_OIDC_${id}_CLIENT_ID`]: 'id',
      [`AUTH_OIDC_${id}_CLIENT_SECRET`]: 'secret',
      [`AUTH_OIDC_${id}_NAME`]: 'Name',
    });
    expect(parseOidcProviders(provider('PLAIN', 'http://id.example')).issues).toEqual([
      expect.stringContaining('AUTH_OIDC_PLAIN_ISSUER: must be an https:// URL'),
    ]);
    expect(parseOidcProviders(provider('NOTURL', 'accounts.google.com')).issues).toHaveLength(1);
    expect(parseOidcProviders(provider('LOCAL', 'http://127.0.0.1:3190')).providers).toHaveLength(1);
    expect(parseOidcProviders(provider('MY_IDP', 'https://id.example')).issues).toEqual([
      expect.stringContaining('"MY_IDP" must be 1 to 27 capital letters and digits'),
    ]);
  });
});

describe('what a third-party sign-in may do', () => {
  const none = {
    linkedCustomerId: null,
    signedInCustomerId: null,
    email: 'ada@example.test',
    emailVerified: true,
    existingCustomerId: null,
  };

  it('signs a linked identity in to its customer, whatever its email says now', () => {
    expect(decideOidcSignIn({ ...none, linkedCustomerId: 'c1', emailVerified: false, email: null })).toEqual({
      action: 'sign-in',
    });
    expect(decideOidcSignIn({ ...none, linkedCustomerId: 'c1', signedInCustomerId: 'c1' })).toEqual({
      action: 'sign-in',
    });
  });

  it('never links an existing account silently: the customer proves it first', () => {
    expect(decideOidcSignIn({ ...none, existingCustomerId: 'c1' })).toEqual({
      action: 'confirm-link',
      customerId: 'c1',
    });
  });

  it('refuses an email the provider does not vouch for, for new and existing customers alike', () => {
    expect(decideOidcSignIn({ ...none, emailVerified: false })).toEqual({
      action: 'refuse',
      reason: 'email-unverified',
    });
    expect(decideOidcSignIn({ ...none, emailVerified: false, existingCustomerId: 'c1' })).toEqual({
      action: 'refuse',
      reason: 'email-unverified',
    });
    expect(decideOidcSignIn({ ...none, email: null })).toEqual({ action: 'refuse', reason: 'email-missing' });
  });

  it('links nothing to a browser that is already signed in', () => {
    expect(decideOidcSignIn({ ...none, signedInCustomerId: 'c2' })).toEqual({ action: 'refuse', reason: 'signed-in' });
    expect(decideOidcSignIn({ ...none, signedInCustomerId: 'c2', existingCustomerId: 'c2' })).toEqual({
      action: 'refuse',
      reason: 'signed-in',
    });
    expect(decideOidcSignIn({ ...none, linkedCustomerId: 'c1', signedInCustomerId: 'c2' })).toEqual({
      action: 'refuse',
      reason: 'signed-in',
    });
  });

  it('registers a new customer for a verified email nobody has', () => {
    expect(decideOidcSignIn(none)).toEqual({ action: 'register' });
  });
});

describe('pending identity links', () => {
  it('stores only the hash of the token, expires in 15 minutes, and shows the provider and account', async () => {
    const customer = await createCustomer({ email: uniqueEmail('pending') });
    const token = await createPendingIdentityLink(customer.id, 'acme', subject());
    const row = await prisma.pendingIdentityLink.findFirstOrThrow({ where: { customerId: customer.id } });
    expect(row.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(14 * 60 * 1000);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(15 * 60 * 1000 + 5_000);
    expect(await getPendingIdentityLink(token)).toEqual({
      customerId: customer.id,
      email: customer.email,
      provider: 'acme',
      providerName: 'Acme ID',
      hasPasskey: false,
    });
    expect(await getPendingIdentityLink('x'.repeat(43))).toBeNull();
    expect(await getPendingIdentityLink(undefined)).toBeNull();
  });

  it('links once, for the proven customer only, and mails the customer', async () => {
    const customer = await createCustomer({ email: uniqueEmail('link') });
    const other = await createCustomer({ email: uniqueEmail('other') });
    const sub = subject();
    const token = await createPendingIdentityLink(customer.id, 'acme', sub);

    // A proof of another account does not take this link.
    expect(await completeIdentityLink(token, other.id)).toEqual({ ok: false, reason: 'expired' });
    expect(await completeIdentityLink(token, customer.id)).toEqual({ ok: true, provider: 'acme' });
    expect(await completeIdentityLink(token, customer.id)).toEqual({ ok: false, reason: 'expired' });

    const identities = await listIdentities(customer.id);
    expect(identities).toEqual([
      { id: expect.any(String), provider: 'acme', providerName: 'Acme ID', linkedAt: expect.any(Date) },
    ]);
    expect(
      await prisma.account.findFirst({
        where: { userId: customer.id },
        select: { providerAccountId: true, access_token: true },
      }),
    ).toEqual({
      providerAccountId: sub,
      access_token: null,
    });
    expect(await prisma.pendingIdentityLink.count({ where: { customerId: customer.id } })).toBe(0);
    const events = await prisma.securityEvent.findMany({
      where: { customerId: customer.id },
      select: { type: true, detail: true, notMeTokenHash: true },
    });
    expect(events).toEqual([
      {
        type: 'identity.linked',
        detail: { provider: 'Acme ID', providerId: 'acme' },
        notMeTokenHash: expect.any(String),
      },
    ]);
    const mail = await prisma.devMail.findFirstOrThrow({
      where: { to: customer.email },
      orderBy: { createdAt: 'desc' },
    });
    expect(mail.subject).toBe('A sign-in method was linked to your account');
    expect(mail.text).toContain('Your Acme ID account can now sign in to your account.');
  });

  it('refuses an expired link, and one whose identity another customer linked meanwhile', async () => {
    const customer = await createCustomer({ email: uniqueEmail('late') });
    const expired = await createPendingIdentityLink(customer.id, 'acme', subject());
    await prisma.pendingIdentityLink.updateMany({
      where: { tokenHash: sha256(expired) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await getPendingIdentityLink(expired)).toBeNull();
    expect(await completeIdentityLink(expired, customer.id)).toEqual({ ok: false, reason: 'expired' });

    const sub = subject();
    const token = await createPendingIdentityLink(customer.id, 'acme', sub);
    const owner = await createCustomer({ email: uniqueEmail('owner') });
    await prisma.account.create({ data: { userId: owner.id, type: 'oidc', provider: 'acme', providerAccountId: sub } });
    expect(await completeIdentityLink(token, customer.id)).toEqual({ ok: false, reason: 'linked-elsewhere' });
    expect(await listIdentities(customer.id)).toEqual([]);
  });

  it('is forgotten when the customer cancels', async () => {
    const customer = await createCustomer({ email: uniqueEmail('cancel') });
    const token = await createPendingIdentityLink(customer.id, 'acme', subject());
    await cancelPendingIdentityLink(token);
    expect(await getPendingIdentityLink(token)).toBeNull();
    expect(await completeIdentityLink(token, customer.id)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('unlinking', () => {
  it("unlinks the customer's own identity and records it; email sign-in remains", async () => {
    const customer = await createCustomer({ email: uniqueEmail('unlink') });
    const identity = await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: 'acme', providerAccountId: subject() },
      select: { id: true },
    });
    const stranger = await createCustomer({ email: uniqueEmail('stranger') });

    expect(await unlinkIdentity(stranger.id, identity.id)).toEqual({ ok: false, reason: 'not-found' });
    expect(await unlinkIdentity(customer.id, identity.id)).toEqual({ ok: true });
    expect(await unlinkIdentity(customer.id, identity.id)).toEqual({ ok: false, reason: 'not-found' });
    expect(await listIdentities(customer.id)).toEqual([]);
    expect(
      await prisma.securityEvent.findMany({
        where: { customerId: customer.id },
        select: { type: true, detail: true, notMeTokenHash: true },
      }),
    ).toEqual([{ type: 'identity.unlinked', detail: { provider: 'Acme ID' }, notMeTokenHash: null }]);
  });
});
