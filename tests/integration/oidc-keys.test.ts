import { describe, expect, it } from 'vitest';

import { listSigningKeys, loadSigningKeys, RETIRED_KEY_GRACE_MS, rotateSigningKeys } from '@/server/oidc/keys';
import { prisma } from '@/server/platform/db';

// `npm run oidc -- rotate-keys`: the new key signs, the old one stays published
// until what it signed has expired, then goes.
describe('signing keys', () => {
  it('creates one on first use, rotates, keeps the retired one published for the grace period only', async () => {
    await prisma.oidcSigningKey.deleteMany();
    const [first] = await loadSigningKeys();
    expect(first).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(first).toHaveProperty('d');

    const rotated = await rotateSigningKeys();
    expect(rotated.retired).toEqual([first!.kid]);
    const keys = await loadSigningKeys();
    expect(keys.map((key) => key.kid)).toEqual([rotated.kid, first!.kid]);

    const later = new Date(Date.now() + RETIRED_KEY_GRACE_MS + 60_000);
    expect((await loadSigningKeys(later)).map((key) => key.kid)).toEqual([rotated.kid]);
    expect((await listSigningKeys(later)).map((key) => [key.kid, key.active])).toEqual([
      [rotated.kid, true],
      [first!.kid, false],
    ]);
    const again = await rotateSigningKeys(later);
    expect(again.deleted).toBe(1);
    expect((await listSigningKeys(later)).map((key) => key.kid)).toEqual([again.kid, rotated.kid]);
  });

  it('refuses to start on a current key that does not open (moved to another row or tampered)', async () => {
    await prisma.oidcSigningKey.deleteMany();
    await loadSigningKeys();
    const { kid } = await rotateSigningKeys();
    const other = await prisma.oidcSigningKey.findFirstOrThrow({ where: { NOT: { kid } } });
    await prisma.oidcSigningKey.update({ where: { kid }, data: { privateJwk: other.privateJwk } });
    await expect(loadSigningKeys()).rejects.toThrow(/rotate-keys/);
  });
});
