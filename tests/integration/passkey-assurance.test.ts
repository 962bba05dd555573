import { describe, expect, it } from 'vitest';

import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '@/server/identity/passkeys';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail, uniqueIp } from './helpers';
import { SoftwareAuthenticator } from './software-authenticator';

// docs/decisions/025-guessing-budgets-and-passkey-assurance.md

async function customerWithPasskey() {
  const customer = await createCustomer({ email: uniqueEmail('assurance') });
  const authenticator = new SoftwareAuthenticator();
  const { ceremonyId, options } = await startPasskeyRegistration({ ...customer, firstName: null });
  const added = await finishPasskeyRegistration(customer.id, ceremonyId, authenticator.register(options), 'Laptop');
  if (!added.ok) throw new Error(`registration refused: ${added.reason}`);
  return { customer, authenticator, passkeyId: added.passkeyId };
}

type Assertion = Parameters<SoftwareAuthenticator['authenticate']>[1];

async function signIn(authenticator: SoftwareAuthenticator, opts: Assertion = {}, ip = uniqueIp()) {
  const { ceremonyId, options } = await startPasskeyAuthentication();
  return finishPasskeyAuthentication(ceremonyId, authenticator.authenticate(options, opts), { ip });
}

async function stepUp(customerId: string, authenticator: SoftwareAuthenticator, opts: Assertion = {}) {
  const { ceremonyId, options } = await startPasskeyAuthentication('step-up', customerId);
  expect(options.userVerification).toBe('required');
  return finishPasskeyAuthentication(ceremonyId, authenticator.authenticate(options, opts), {
    ip: uniqueIp(),
    purpose: 'step-up',
    customerId,
  });
}

const alarms = (customerId: string) => prisma.securityEvent.count({ where: { customerId, type: 'passkey.cloned' } });
const alarmMails = (email: string) =>
  prisma.devMail.count({ where: { to: email, subject: 'We blocked a suspicious sign-in' } });

describe('user verification', () => {
  it('a step-up asks for it and counts a passkey assertion only with the UV flag set', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    expect(await stepUp(customer.id, authenticator, { userVerified: false })).toEqual({
      ok: false,
      reason: 'not-user-verified',
    });
    expect(await stepUp(customer.id, authenticator)).toEqual({ ok: true, customerId: customer.id });
  });

  it('is preferred, not required, for signing in', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    const { options } = await startPasskeyAuthentication();
    expect(options.userVerification).toBe('preferred');
    expect(await signIn(authenticator, { userVerified: false })).toEqual({ ok: true, customerId: customer.id });
  });
});

describe('the cloned-passkey alarm', () => {
  it('rings for a signed assertion whose counter went back: refused, recorded, mailed', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    const mailsBefore = await alarmMails(customer.email);
    expect(await signIn(authenticator, { counter: 1 })).toEqual({ ok: false, reason: 'cloned' });
    expect(await alarms(customer.id)).toBe(1);
    expect(await alarmMails(customer.email)).toBe(mailsBefore + 1);
  });

  it('stays silent for an unsigned or forged assertion: a failure, not an alarm', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    expect(await signIn(authenticator)).toMatchObject({ ok: true });
    const mailsBefore = await alarmMails(customer.email);
    expect(await signIn(authenticator, { counter: 1, forged: true })).toEqual({ ok: false, reason: 'invalid' });
    expect(await signIn(authenticator, { counter: 0, forged: true })).toEqual({ ok: false, reason: 'invalid' });
    expect(await alarms(customer.id)).toBe(0);
    expect(await alarmMails(customer.email)).toBe(mailsBefore);
    // The genuine passkey still works: its counter was not moved by the forgeries.
    expect(await signIn(authenticator, { counter: 3 })).toEqual({ ok: true, customerId: customer.id });
  });
});

describe('passkey ceremony limits', () => {
  it('limit assertions per IP (an IPv6 /64 counts as one), and say when to retry', async () => {
    const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:9`;
    // Default 60 per IP per 15 minutes; a stale ceremony id still counts.
    for (let i = 0; i < 60; i++) {
      const result = await finishPasskeyAuthentication(crypto.randomUUID(), {} as never, {
        ip: `${network}::${(i + 1).toString(16)}`,
      });
      expect(result).toEqual({ ok: false, reason: 'expired' });
    }
    const limited = await finishPasskeyAuthentication(crypto.randomUUID(), {} as never, { ip: `${network}::ffff` });
    expect(limited).toMatchObject({ ok: false, reason: 'rate-limited' });
    if (!limited.ok && limited.reason === 'rate-limited') expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('limit assertions per passkey, whatever the IP: forged ones count', async () => {
    const { authenticator } = await customerWithPasskey();
    // Default 20 per passkey per 15 minutes.
    for (let i = 0; i < 20; i++) {
      expect(await signIn(authenticator, { forged: true })).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(await signIn(authenticator)).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});
