import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { confirmEmailChangeLink, getPendingEmailChange, requestEmailChange } from '@/server/customers/email-change';
import { getProfile, listProfileChanges, updateProfile } from '@/server/customers/profile';
import { getProfilePage } from '@/server/customers/profile-page';
import { getOpenEmailRevert } from '@/server/customers/revert-window';
import { countPasskeys } from '@/server/identity/passkeys';
import { listSessions } from '@/server/identity/sessions';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';

const sessionIdOf = async (customerId: string) =>
  (await prisma.session.findFirstOrThrow({ where: { userId: customerId }, select: { id: true } })).id;

/** What the page showed before it read everything in one statement: each part from its own function. */
async function partByPart(customerId: string, sessionId: string) {
  const [profile, history, pendingEmail, revert, passkeys, sessions] = await Promise.all([
    getProfile(customerId),
    listProfileChanges(customerId),
    getPendingEmailChange(customerId),
    getOpenEmailRevert(customerId),
    countPasskeys(customerId),
    listSessions(customerId, sessionId),
  ]);
  return { profile, history, pendingEmail, revert, passkeys, otherSessions: sessions.length - 1 };
}

/** A customer with something in every part of the page: history, phone, address, passkey, other sessions. */
async function busyCustomer() {
  const customer = await createCustomer({ email: uniqueEmail() });
  await createSessionFor(customer.id);
  const current = await sessionIdOf(customer.id);
  await createSessionFor(customer.id);
  await createSessionFor(customer.id);
  // An aged session is not listed (SESSION_MAX_AGE_DAYS), nor counted.
  const aged = await createSessionFor(customer.id);
  await prisma.session.update({
    where: { sessionToken: sha256(aged.token) },
    data: { createdAt: new Date(Date.now() - 400 * 24 * 60 * 60 * 1000) },
  });
  await prisma.passkey.create({
    data: {
      customerId: customer.id,
      credentialId: `cred-${customer.id}`,
      publicKey: Buffer.from([1, 2, 3]),
      deviceType: 'multiDevice',
      backedUp: true,
      name: 'Laptop',
    },
  });
  for (const [firstName, city] of [
    ['Zoé', 'London'],
    ['Chloé', 'Leeds'],
  ] as const) {
    const version = (await prisma.user.findUniqueOrThrow({ where: { id: customer.id } })).version;
    const result = await updateProfile(
      customer.id,
      {
        firstName,
        phone: '+33 6 12 34 56 78',
        addresses: { home: { country: 'GB', line1: '221B Baker Street', line2: '', postalCode: 'NW1 6XE', city } },
      },
      { channel: 'portal', expectedVersion: version },
    );
    expect(result).toMatchObject({ ok: true });
  }
  return { ...customer, sessionId: current };
}

describe('getProfilePage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads everything /account/profile shows in one SQL statement, whatever the customer has', async () => {
    const customer = await busyCustomer();
    await requestEmailChange(customer.id, uniqueEmail('new'), { ip: uniqueIp(), locale: 'en', channel: 'portal' });
    // pg's Client.query carries every statement, Prisma's (through @prisma/adapter-pg) and ours.
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const page = await getProfilePage(customer.id, customer.sessionId);
    expect(query).toHaveBeenCalledTimes(1);
    expect(page!.history.length).toBeGreaterThan(4);
    expect(page!.pendingEmail).not.toBeNull();
  });

  it('gives what each part read alone gives: profile, history, pending change, passkeys, other sessions', async () => {
    const customer = await busyCustomer();
    const newEmail = uniqueEmail('new');
    await requestEmailChange(customer.id, newEmail, { ip: uniqueIp(), locale: 'en', channel: 'portal' });
    const page = await getProfilePage(customer.id, customer.sessionId);
    expect(page).toEqual(await partByPart(customer.id, customer.sessionId));
    expect(page).toMatchObject({
      profile: { firstName: 'Chloé', phone: '+33612345678', addresses: { home: { city: 'Leeds' } } },
      pendingEmail: { newEmail, mailQueued: expect.any(Boolean) },
      revert: null,
      passkeys: 1,
      otherSessions: 2,
    });
    expect(page!.profile.provenance.firstName).toMatchObject({ channel: 'portal', verified: false });
    expect(page!.history.map((h) => h.attribute)).toContain('address.home');
  });

  it('shows the open revert window after a confirmed change, and not once the address moved on', async () => {
    const customer = await busyCustomer();
    const newEmail = uniqueEmail('new');
    await requestEmailChange(customer.id, newEmail, { ip: uniqueIp(), locale: 'en', channel: 'portal' });
    const mail = await prisma.devMail.findFirstOrThrow({ where: { to: newEmail }, orderBy: { createdAt: 'desc' } });
    const token = /\/email-change\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '';
    expect(await confirmEmailChangeLink(token)).toEqual({ ok: true, newEmail });
    const sessionId = await sessionIdOf(customer.id).catch(() => null);
    const current = sessionId ?? customer.sessionId;

    const page = await getProfilePage(customer.id, current);
    expect(page).toEqual(await partByPart(customer.id, current));
    expect(page!.revert).toMatchObject({ oldEmail: customer.email, newEmail });
    expect(page!.pendingEmail).toBeNull();

    // An address set outside the email change (not through it) no longer matches the window's.
    await prisma.user.update({ where: { id: customer.id }, data: { email: uniqueEmail('elsewhere') } });
    const after = await getProfilePage(customer.id, current);
    expect(after!.revert).toBeNull();
    expect(after).toEqual(await partByPart(customer.id, current));
  });

  it('is null for an unknown customer', async () => {
    expect(
      await getProfilePage('00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000000'),
    ).toBeNull();
  });
});
