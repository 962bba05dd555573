import { PrismaAdapter } from '@auth/prisma-adapter';
import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies';
import { describe, expect, it, vi } from 'vitest';

import { unlinkIdentityAction } from '@/app/account/security/identity-actions';
import { CLIENT_IP_HEADER } from '@/lib/client-ip-header';
import { getSignedInCustomer } from '@/server/identity/auth';
import { withHashedSessionTokens } from '@/server/identity/auth-adapter';
import { listSessions } from '@/server/identity/sessions';
import { SESSION_COOKIE } from '@/server/platform/cookies';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const browser = { token: '' };

vi.mock('next/headers', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/headers')>()),
  cookies: async () => new RequestCookies(new Headers({ cookie: `${SESSION_COOKIE.http}=${browser.token}` })),
  headers: async () => new Headers({ 'user-agent': 'vitest', [CLIENT_IP_HEADER]: '10.9.9.9' }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));

const DAY_MS = 24 * 60 * 60 * 1000;

/** A session signed in `days` ago and in use ever since: its sliding expiry is still ahead. */
async function sessionStartedDaysAgo(days: number) {
  const customer = await createCustomer({ email: uniqueEmail('lifetime') });
  const { token } = await createSessionFor(customer.id);
  await prisma.session.updateMany({
    where: { userId: customer.id },
    data: { createdAt: new Date(Date.now() - days * DAY_MS), lastActiveAt: new Date() },
  });
  return { customer, token };
}

describe('the absolute session age (SESSION_MAX_AGE_DAYS, 90 by default)', () => {
  it('signs out and deletes a session signed in more than 90 days ago, however active', async () => {
    const { customer, token } = await sessionStartedDaysAgo(91);
    browser.token = token;
    expect(await getSignedInCustomer()).toBeNull();
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
  });

  it('does not list a session past the age on another device, before that device reads it', async () => {
    const { customer } = await sessionStartedDaysAgo(91);
    await createSessionFor(customer.id);
    const { id: currentId } = await prisma.session.findFirstOrThrow({
      where: { userId: customer.id, createdAt: { gt: new Date(Date.now() - DAY_MS) } },
      select: { id: true },
    });
    expect((await listSessions(customer.id, currentId)).map((s) => s.id)).toEqual([currentId]);
  });

  it('keeps a session signed in 89 days ago', async () => {
    const { customer, token } = await sessionStartedDaysAgo(89);
    browser.token = token;
    expect((await getSignedInCustomer())?.id).toBe(customer.id);
  });

  it('holds for the sessions Auth.js reads too', async () => {
    const adapter = withHashedSessionTokens(PrismaAdapter(prisma));
    const old = await sessionStartedDaysAgo(91);
    expect(await adapter.getSessionAndUser!(old.token)).toBeNull();
    expect(await prisma.session.count({ where: { userId: old.customer.id } })).toBe(0);
    const recent = await sessionStartedDaysAgo(89);
    expect((await adapter.getSessionAndUser!(recent.token))?.user.id).toBe(recent.customer.id);
  });
});

describe('unlinking an identity', () => {
  async function customerWithIdentity(authenticatedAt: Date) {
    const customer = await createCustomer({ email: uniqueEmail('unlink') });
    const identity = await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: 'acme', providerAccountId: `sub-${customer.id}` },
      select: { id: true },
    });
    browser.token = (await createSessionFor(customer.id, { authenticatedAt })).token;
    return { customer, identityId: identity.id };
  }

  it('needs step-up on a session signed in more than 10 minutes ago', async () => {
    const { customer, identityId } = await customerWithIdentity(new Date(Date.now() - 11 * 60 * 1000));
    expect(await unlinkIdentityAction({ identityId })).toMatchObject({ ok: false, stepUp: true });
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(1);
  });

  it('unlinks after a recent sign-in or step-up', async () => {
    const { customer, identityId } = await customerWithIdentity(new Date());
    expect(await unlinkIdentityAction({ identityId })).toEqual({ ok: true });
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(0);
  });
});
