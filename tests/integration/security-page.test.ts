import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { listIdentities } from '@/server/identity/identities';
import { listPasskeys } from '@/server/identity/passkeys';
import { listSecurityEvents, recordSecurityEvent } from '@/server/identity/security-events';
import { getSecurityPage } from '@/server/identity/security-page';
import { listSessions } from '@/server/identity/sessions';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the page showed before it read everything in one statement: each part from its own function. */
async function partByPart(customerId: string, sessionId: string) {
  const [passkeys, sessions, events, identities] = await Promise.all([
    listPasskeys(customerId),
    listSessions(customerId, sessionId),
    listSecurityEvents(customerId),
    listIdentities(customerId),
  ]);
  return { passkeys, sessions, events, identities };
}

/** Passkeys (one used), sessions (one aged, one expired: neither listed), a dozen events, a linked identity. */
async function busyCustomer() {
  const customer = await createCustomer({ email: uniqueEmail() });
  const current = await createSessionFor(customer.id);
  await createSessionFor(customer.id);
  const aged = await createSessionFor(customer.id);
  const expired = await createSessionFor(customer.id);
  await prisma.session.update({
    where: { sessionToken: sha256(aged.token) },
    data: {
      createdAt: new Date(Date.now() - 400 * DAY_MS),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    },
  });
  await prisma.session.update({
    where: { sessionToken: sha256(expired.token) },
    data: { expires: new Date(Date.now() - 1000) },
  });
  for (const name of ['Laptop', 'Phone'])
    await prisma.passkey.create({
      data: {
        customerId: customer.id,
        credentialId: `cred-${name}-${customer.id}`,
        publicKey: Buffer.from([1, 2, 3]),
        deviceType: 'multiDevice',
        backedUp: name === 'Phone',
        name,
        lastUsedAt: name === 'Laptop' ? new Date() : null,
      },
    });
  for (let i = 0; i < 12; i++)
    await recordSecurityEvent(customer.id, 'sign_in.new_device', { device: `Device ${i}` }, { notify: false });
  await prisma.account.create({
    data: { userId: customer.id, type: 'oidc', provider: 'example', providerAccountId: `sub-${customer.id}` },
  });
  const { id: sessionId } = await prisma.session.findUniqueOrThrow({
    where: { sessionToken: sha256(current.token) },
    select: { id: true },
  });
  return { ...customer, sessionId };
}

describe('getSecurityPage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads everything /account/security shows in one SQL statement, whatever the customer has', async () => {
    const customer = await busyCustomer();
    // pg's Client.query carries every statement, Prisma's (through @prisma/adapter-pg) and ours.
    const query = vi.spyOn(pg.Client.prototype, 'query');
    const page = await getSecurityPage(customer.id, customer.sessionId);
    expect(query).toHaveBeenCalledTimes(1);
    expect(page.events).toHaveLength(10);
  });

  it('gives what each part read alone gives: passkeys, listed sessions, latest events, identities', async () => {
    const customer = await busyCustomer();
    const page = await getSecurityPage(customer.id, customer.sessionId);
    expect(page).toEqual(await partByPart(customer.id, customer.sessionId));
    expect(page.passkeys.map((p) => p.name)).toEqual(['Laptop', 'Phone']);
    expect(page.sessions).toHaveLength(2);
    expect(page.sessions[0]).toMatchObject({ id: customer.sessionId, current: true });
    expect(page.events[0]).toMatchObject({ type: 'sign_in.new_device', detail: { device: 'Device 11' } });
    expect(page.identities).toMatchObject([{ provider: 'example' }]);
  });

  it('for a customer with nothing but this session', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const { token } = await createSessionFor(customer.id);
    const { id } = await prisma.session.findUniqueOrThrow({ where: { sessionToken: sha256(token) } });
    const page = await getSecurityPage(customer.id, id);
    expect(page).toEqual(await partByPart(customer.id, id));
    expect(page).toMatchObject({ passkeys: [], events: [], identities: [] });
  });
});
