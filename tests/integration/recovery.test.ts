import { describe, expect, it } from 'vitest';

import {
  closeEmailRevert,
  confirmEmailChangeCode,
  confirmEmailChangeLink,
  peekEmailRevert,
  requestEmailChange,
  revertEmailChange,
} from '@/server/customers/email-change';
import { completeIdentityLink, createPendingIdentityLink } from '@/server/identity/identities';
import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '@/server/identity/passkeys';
import { confirmNotMe, recordSecurityEvent } from '@/server/identity/security-events';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { SoftwareAuthenticator } from './software-authenticator';

// docs/decisions/022-recovery-evicts-the-attacker.md: what "this wasn't me" and
// the email-change revert take back, and how long the old address keeps a say.

const PASSKEY_ADDED = 'A passkey was added to your account';
const NEW_DEVICE = 'New sign-in to your account';

async function mailsTo(email: string, subject?: string) {
  return prisma.devMail.findMany({
    where: { to: email, ...(subject ? { subject } : {}) },
    orderBy: { createdAt: 'asc' },
    select: { subject: true, text: true },
  });
}

async function latest(email: string, subject?: string) {
  const mail = (await mailsTo(email, subject)).at(-1);
  if (!mail) throw new Error(`no mail to ${email}${subject ? ` about "${subject}"` : ''}`);
  return mail;
}

const linkToken = (text: string, path: string) =>
  new RegExp(`${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]{43})`).exec(text)?.[1] ?? '';

/** A passkey registered through server/identity/passkeys.ts, as /account/security does. */
async function addPasskey(customer: { id: string; email: string }, name: string) {
  const authenticator = new SoftwareAuthenticator();
  const { ceremonyId, options } = await startPasskeyRegistration({ ...customer, firstName: null });
  const result = await finishPasskeyRegistration(customer.id, ceremonyId, authenticator.register(options), name);
  if (!result.ok) throw new Error(`registration refused: ${result.reason}`);
  return { authenticator, passkeyId: result.passkeyId };
}

async function signInWith(authenticator: SoftwareAuthenticator) {
  const { ceremonyId, options } = await startPasskeyAuthentication();
  return finishPasskeyAuthentication(ceremonyId, authenticator.authenticate(options), { ip: uniqueIp() });
}

/** Changes the customer's email through the link of the verification mail. */
async function changeEmail(customerId: string, newEmail: string): Promise<void> {
  await requestEmailChange(customerId, newEmail, { ip: uniqueIp(), locale: 'en', channel: 'portal' });
  const token = linkToken((await latest(newEmail, 'Confirm your new email address')).text, '/email-change/confirm');
  expect(await confirmEmailChangeLink(token)).toEqual({ ok: true, newEmail });
}

async function revertTokenIn(oldEmail: string): Promise<string> {
  return linkToken((await latest(oldEmail, "Your account's email address was changed")).text, '/email-change/revert');
}

const emailOf = async (id: string) =>
  (await prisma.user.findUniqueOrThrow({ where: { id }, select: { email: true } })).email;
const sessionCount = (id: string) => prisma.session.count({ where: { userId: id } });
const passkeyNames = async (id: string) =>
  (await prisma.passkey.findMany({ where: { customerId: id }, select: { name: true } })).map((p) => p.name);
const providers = async (id: string) =>
  (await prisma.account.findMany({ where: { userId: id }, select: { provider: true } })).map((a) => a.provider);

describe('"this wasn\'t me" on a new-passkey notice', () => {
  it('removes that passkey, and only that one, and ends every session: it no longer signs in', async () => {
    const customer = await createCustomer({ email: uniqueEmail('not-me-passkey') });
    const own = await addPasskey(customer, 'My phone');
    await createSessionFor(customer.id);
    // Someone else, with a session of this customer, adds a passkey of their own.
    await createSessionFor(customer.id);
    const intruder = await addPasskey(customer, 'Intruder');

    const added = await prisma.securityEvent.findFirstOrThrow({
      where: { customerId: customer.id, type: 'passkey.added', detail: { path: ['name'], equals: 'Intruder' } },
      select: { detail: true },
    });
    expect(added.detail).toEqual({ name: 'Intruder', passkeyId: intruder.passkeyId });
    const mail = await latest(customer.email, PASSKEY_ADDED);
    expect(mail.text).toContain('"Intruder"');
    expect((await signInWith(intruder.authenticator)).ok).toBe(true);

    expect(await confirmNotMe(linkToken(mail.text, '/security/not-me'))).toBe(true);

    expect(await sessionCount(customer.id)).toBe(0);
    expect(await passkeyNames(customer.id)).toEqual(['My phone']);
    expect(await signInWith(intruder.authenticator)).toEqual({ ok: false, reason: 'unknown-passkey' });
    expect(await signInWith(own.authenticator)).toEqual({ ok: true, customerId: customer.id });
    const events = await prisma.securityEvent.findMany({
      where: { customerId: customer.id, type: { in: ['passkey.deleted', 'sessions.revoked_all'] } },
      select: { type: true, detail: true },
      orderBy: { createdAt: 'asc' },
    });
    expect(events).toEqual([
      { type: 'passkey.deleted', detail: { source: 'not-me-link', name: 'Intruder' } },
      { type: 'sessions.revoked_all', detail: { source: 'not-me-link' } },
    ]);
  });

  it('on a notice about something else (a new device) ends every session and removes no passkey', async () => {
    const customer = await createCustomer({ email: uniqueEmail('not-me-device') });
    await addPasskey(customer, 'My phone');
    await createSessionFor(customer.id);
    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: 'Firefox on Linux' }, { notify: true });
    expect(await confirmNotMe(linkToken((await latest(customer.email, NEW_DEVICE)).text, '/security/not-me'))).toBe(
      true,
    );
    expect(await sessionCount(customer.id)).toBe(0);
    expect(await passkeyNames(customer.id)).toEqual(['My phone']);
  });
});

describe('security notices while an email change can be undone', () => {
  it('go to the old and the new address, with the same "this wasn\'t me" link, and stop when the window closes', async () => {
    const customer = await createCustomer({ email: uniqueEmail('notices-old') });
    const newEmail = uniqueEmail('notices-new');
    await changeEmail(customer.id, newEmail);

    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: 'Firefox on Linux' }, { notify: true });
    const toNew = await latest(newEmail, NEW_DEVICE);
    const toOld = await latest(customer.email, NEW_DEVICE);
    expect(linkToken(toOld.text, '/security/not-me')).toBe(linkToken(toNew.text, '/security/not-me'));

    // A passkey added now is announced to both too, and either mail takes it back.
    const intruder = await addPasskey({ id: customer.id, email: newEmail }, 'Intruder');
    expect(await mailsTo(customer.email, PASSKEY_ADDED)).toHaveLength(1);
    expect(await confirmNotMe(linkToken((await latest(customer.email, PASSKEY_ADDED)).text, '/security/not-me'))).toBe(
      true,
    );
    expect(await signInWith(intruder.authenticator)).toEqual({ ok: false, reason: 'unknown-passkey' });

    expect(await closeEmailRevert(customer.id)).toBe(true);
    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: 'Safari on iOS' }, { notify: true });
    expect(await mailsTo(newEmail, NEW_DEVICE)).toHaveLength(2);
    expect(await mailsTo(customer.email, NEW_DEVICE)).toHaveLength(1);
  });

  it('stop after the 7 days', async () => {
    const customer = await createCustomer({ email: uniqueEmail('notices-old') });
    const newEmail = uniqueEmail('notices-new');
    await changeEmail(customer.id, newEmail);
    await prisma.emailChangeRequest.updateMany({
      where: { customerId: customer.id },
      data: { revertExpiresAt: new Date(Date.now() - 1000) },
    });
    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: 'Firefox on Linux' }, { notify: true });
    expect(await mailsTo(newEmail, NEW_DEVICE)).toHaveLength(1);
    expect(await mailsTo(customer.email, NEW_DEVICE)).toHaveLength(0);
  });
});

describe('reverting an email change', () => {
  it('removes the passkeys and identities added since the change, keeps older ones, ends every session and tells the new address', async () => {
    const customer = await createCustomer({ email: uniqueEmail('revert-old') });
    const own = await addPasskey(customer, 'My phone');
    await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: 'own-idp', providerAccountId: `own-${customer.id}` },
    });
    // The intruder, signed in, changes the email, adds a passkey and links an identity of theirs.
    await createSessionFor(customer.id);
    const newEmail = uniqueEmail('revert-intruder');
    await requestEmailChange(customer.id, newEmail, { ip: uniqueIp(), locale: 'en', channel: 'portal' });
    const intruder = await addPasskey(customer, 'Intruder');
    await completeIdentityLink(
      await createPendingIdentityLink(customer.id, 'intruder-idp', `sub-${customer.id}`),
      customer.id,
    );
    const confirm = linkToken((await latest(newEmail, 'Confirm your new email address')).text, '/email-change/confirm');
    expect(await confirmEmailChangeLink(confirm)).toEqual({ ok: true, newEmail });

    expect(await revertEmailChange(await revertTokenIn(customer.email))).toEqual({ ok: true, email: customer.email });

    expect(await emailOf(customer.id)).toBe(customer.email);
    expect(await sessionCount(customer.id)).toBe(0);
    expect(await passkeyNames(customer.id)).toEqual(['My phone']);
    expect(await providers(customer.id)).toEqual(['own-idp']);
    expect(await signInWith(intruder.authenticator)).toEqual({ ok: false, reason: 'unknown-passkey' });
    expect((await signInWith(own.authenticator)).ok).toBe(true);
    expect(
      await prisma.securityEvent.findFirst({
        where: { customerId: customer.id, type: 'email.reverted' },
        select: { detail: true },
      }),
    ).toEqual({ detail: { passkeysRemoved: '1', identitiesRemoved: '1' } });
    const told = await latest(newEmail, 'Your account no longer signs in with this address');
    expect(told.text).toContain(customer.email);
  });

  it('works only while the account still signs in with the address the change set', async () => {
    const customer = await createCustomer({ email: uniqueEmail('revert-moved') });
    await changeEmail(customer.id, uniqueEmail('revert-new'));
    const token = await revertTokenIn(customer.email);
    // The address moved on by another way than a change through this flow (support, an app's write).
    const elsewhere = uniqueEmail('revert-elsewhere');
    await prisma.user.update({ where: { id: customer.id }, data: { email: elsewhere } });
    await createSessionFor(customer.id);

    expect(await peekEmailRevert(token)).toBeNull();
    expect(await revertEmailChange(token)).toEqual({ ok: false, reason: 'expired' });
    expect(await emailOf(customer.id)).toBe(elsewhere);
    expect(await sessionCount(customer.id)).toBe(1);
  });

  it('a later change revokes the earlier revert link; the latest one still works', async () => {
    const customer = await createCustomer({ email: uniqueEmail('revert-first') });
    const second = uniqueEmail('revert-second');
    const third = uniqueEmail('revert-third');
    await changeEmail(customer.id, second);
    const first = await revertTokenIn(customer.email);
    await changeEmail(customer.id, third);
    const latestToken = await revertTokenIn(second);

    expect(await peekEmailRevert(first)).toBeNull();
    expect(await revertEmailChange(first)).toEqual({ ok: false, reason: 'expired' });
    expect(await emailOf(customer.id)).toBe(third);
    // Back to the second address by a new change: the first link stays revoked all the same.
    await changeEmail(customer.id, second);
    expect(await revertEmailChange(first)).toEqual({ ok: false, reason: 'expired' });
    expect(await revertEmailChange(latestToken)).toEqual({ ok: false, reason: 'expired' });
    expect(await revertEmailChange(await revertTokenIn(third))).toEqual({ ok: true, email: third });
    expect(await emailOf(customer.id)).toBe(third);
  });

  it('a revert and a later change confirmed at the same moment: exactly one wins, the other is refused, no error', async () => {
    for (let round = 0; round < 4; round++) {
      const customer = await createCustomer({ email: uniqueEmail('revert-race') });
      const second = uniqueEmail('revert-race-second');
      const third = uniqueEmail('revert-race-third');
      await changeEmail(customer.id, second);
      const token = await revertTokenIn(customer.email);
      await requestEmailChange(customer.id, third, { ip: uniqueIp(), locale: 'en', channel: 'portal' });
      const code = /\b(\d{6})\b/.exec((await latest(third, 'Confirm your new email address')).text)?.[1] ?? '';

      const [reverted, confirmed] = await Promise.all([
        revertEmailChange(token),
        confirmEmailChangeCode(customer.id, code, uniqueIp()),
      ]);
      expect([reverted.ok, confirmed.ok].filter(Boolean)).toHaveLength(1);
      expect(await emailOf(customer.id)).toBe(reverted.ok ? customer.email : third);
    }
  });

  it('the customer can close the window: the link then changes nothing', async () => {
    const customer = await createCustomer({ email: uniqueEmail('revert-closed') });
    const newEmail = uniqueEmail('revert-closed-new');
    await changeEmail(customer.id, newEmail);
    const token = await revertTokenIn(customer.email);
    await createSessionFor(customer.id);

    expect(await closeEmailRevert(customer.id)).toBe(true);
    expect(await closeEmailRevert(customer.id)).toBe(false);
    expect(await peekEmailRevert(token)).toBeNull();
    expect(await revertEmailChange(token)).toEqual({ ok: false, reason: 'expired' });
    expect(await emailOf(customer.id)).toBe(newEmail);
    expect(await sessionCount(customer.id)).toBe(1);
    expect(
      await prisma.securityEvent.findMany({
        where: { customerId: customer.id, type: 'email.revert_closed' },
        select: { detail: true },
      }),
    ).toEqual([{ detail: { email: customer.email } }]);
  });
});
