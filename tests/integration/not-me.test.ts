import { describe, expect, it } from 'vitest';

import { confirmNotMe, peekNotMe, recordSecurityEvent } from '@/server/identity/security-events';
import { prisma } from '@/server/platform/db';
import { createCustomer, createSessionFor } from '@/tests/factories';

import { uniqueEmail } from './helpers';

async function notMeToken(email: string): Promise<string> {
  const mail = await prisma.devMail.findFirstOrThrow({ where: { to: email }, orderBy: { createdAt: 'desc' } });
  const token = /\/security\/not-me\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  if (!token) throw new Error('no "this wasn\'t me" link in the notice');
  return token;
}

describe('"this wasn\'t me"', () => {
  it('ends every session and unlinks the identity the notice was about, once', async () => {
    const customer = await createCustomer({ email: uniqueEmail('not-me') });
    await createSessionFor(customer.id);
    await createSessionFor(customer.id);
    await prisma.account.create({
      data: { userId: customer.id, type: 'oidc', provider: 'acme', providerAccountId: `sub-${customer.id}` },
    });
    await recordSecurityEvent(
      customer.id,
      'identity.linked',
      { provider: 'Acme ID', providerId: 'acme' },
      { notify: true },
    );
    const token = await notMeToken(customer.email);

    expect(await peekNotMe(token)).toEqual({ type: 'identity.linked' });
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(2);
    expect(await confirmNotMe(token)).toBe(true);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await prisma.account.count({ where: { userId: customer.id } })).toBe(0);
    expect(await confirmNotMe(token)).toBe(false);
    expect(await peekNotMe(token)).toBeNull();
  });

  it('refuses malformed and unknown tokens without touching anything', async () => {
    const customer = await createCustomer({ email: uniqueEmail('not-me') });
    await createSessionFor(customer.id);
    expect(await confirmNotMe('not-a-token')).toBe(false);
    expect(await confirmNotMe('a'.repeat(43))).toBe(false);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(1);
  });
});
