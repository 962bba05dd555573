import { PrismaAdapter } from '@auth/prisma-adapter';
import { describe, expect, it } from 'vitest';

import { withHashedSessionTokens } from '@/server/identity/auth-adapter';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

describe('Auth.js sessions with hashed tokens', () => {
  it('stores only the hash, finds the session by the raw cookie value, and deletes it idempotently', async () => {
    const adapter = withHashedSessionTokens(PrismaAdapter(prisma));
    const customer = await createCustomer({ email: uniqueEmail() });
    const token = 'raw-session-cookie-value-' + customer.id;
    await adapter.createSession!({ sessionToken: token, userId: customer.id, expires: new Date(Date.now() + 60_000) });
    expect(await prisma.session.count({ where: { sessionToken: token } })).toBe(0);
    expect(await prisma.session.count({ where: { userId: customer.id } })).toBe(1);
    const found = await adapter.getSessionAndUser!(token);
    expect(found?.user.id).toBe(customer.id);
    expect(await adapter.getSessionAndUser!(token + 'x')).toBeNull();
    await adapter.deleteSession!(token);
    await adapter.deleteSession!(token);
    expect(await adapter.getSessionAndUser!(token)).toBeNull();
  });
});
