import { describe, expect, it } from 'vitest';

import { startPasskeyAuthentication } from '@/server/identity/passkeys';
import { prisma } from '@/server/platform/db';

describe('WebAuthn ceremonies', () => {
  it('each new ceremony clears expired ones, so abandoned /signin loads do not pile up', async () => {
    const past = new Date(Date.now() - 60_000);
    await prisma.webAuthnChallenge.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({
        challenge: `expired-${i}`,
        purpose: 'authenticate',
        expiresAt: past,
      })),
    });
    const live = await prisma.webAuthnChallenge.create({
      data: { challenge: 'live', purpose: 'authenticate', expiresAt: new Date(Date.now() + 60_000) },
      select: { id: true },
    });
    const { ceremonyId } = await startPasskeyAuthentication();
    expect(await prisma.webAuthnChallenge.count({ where: { expiresAt: { lt: new Date() } } })).toBe(0);
    expect(await prisma.webAuthnChallenge.count({ where: { id: { in: [ceremonyId, live.id] } } })).toBe(2);
  });
});
