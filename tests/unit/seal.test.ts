import { afterAll, describe, expect, it, vi } from 'vitest';

// server/platform/crypto.ts seal/unseal: what the mail queue keeps at rest
// (docs/decisions/027-mail-queue.md). The environment is read once per module
// instance: each phase of a rotation imports the module afresh.
const OLD = 'old-secret-old-secret-old-secret-0123';
const NEW = 'new-secret-new-secret-new-secret-4567';
const NAMES = ['AUTH_SECRET', 'AUTH_SECRET_PREVIOUS', 'PSEUDONYM_SECRET'] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

async function crypto(secrets: Partial<Record<(typeof NAMES)[number], string>>) {
  for (const name of NAMES) {
    if (secrets[name] === undefined) delete process.env[name];
    else process.env[name] = secrets[name];
  }
  vi.resetModules();
  return import('@/server/platform/crypto');
}

afterAll(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  vi.resetModules();
});

describe('sealing data at rest', () => {
  it('keeps nothing of the plaintext in clear, and opens only with its purpose and context', async () => {
    const { seal, unseal } = await crypto({ AUTH_SECRET: OLD });
    const sealed = seal('mail-queue', 'sign-in:1', 'code 123456 for someone@example.test');
    expect(sealed.toString('latin1')).not.toMatch(/123456|example\.test/);
    expect(unseal('mail-queue', 'sign-in:1', sealed)).toBe('code 123456 for someone@example.test');
    expect(unseal('mail-queue', 'sign-in:2', sealed)).toBeNull();
    expect(unseal('other-purpose', 'sign-in:1', sealed)).toBeNull();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(unseal('mail-queue', 'sign-in:1', tampered)).toBeNull();
    // A fresh IV each time: two seals of one text differ.
    expect(seal('mail-queue', 'k', 'same').equals(seal('mail-queue', 'k', 'same'))).toBe(false);
  });

  it('opens what was sealed before a rotation while AUTH_SECRET_PREVIOUS holds the old secret, not after', async () => {
    const sealed = (await crypto({ AUTH_SECRET: OLD })).seal('mail-queue', 'k', 'queued before the rotation');
    const during = await crypto({ AUTH_SECRET: NEW, AUTH_SECRET_PREVIOUS: OLD, PSEUDONYM_SECRET: OLD });
    expect(during.unseal('mail-queue', 'k', sealed)).toBe('queued before the rotation');
    const after = await crypto({ AUTH_SECRET: NEW, PSEUDONYM_SECRET: OLD });
    expect(after.unseal('mail-queue', 'k', sealed)).toBeNull();
  });
});
