import 'server-only';

import { randomUUID } from 'node:crypto';

import { exportJWK, generateKeyPair } from 'jose';

import { seal, unseal } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

// The provider's signing keys (docs/decisions/037-openid-provider.md). RS256:
// the algorithm every relying party and the conformance suite accept by
// default (ES256 would need each app to configure id_token_signed_response_alg).
// The private JWK is sealed at rest with AES-256-GCM under a key HKDF-derived
// from AUTH_SECRET (server/platform/crypto.ts seal), the row's kid bound in.

export const SIGNING_ALG = 'RS256';
const SEAL_PURPOSE = 'oidc-signing-key';

/**
 * How long a retired key stays published: the longest lifetime of anything it
 * signed (ID tokens, logout tokens: 1 hour in server/oidc/provider.ts), with margin.
 */
export const RETIRED_KEY_GRACE_MS = 2 * 60 * 60 * 1000;

export type SigningKeyInfo = { kid: string; alg: string; createdAt: Date; retiredAt: Date | null; active: boolean };

type PrivateJwk = Record<string, unknown> & { kid: string; alg: string };

async function newKeyRow(): Promise<{ kid: string; alg: string; privateJwk: string }> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, alg: SIGNING_ALG, privateJwk: seal(SEAL_PURPOSE, kid, JSON.stringify(jwk)).toString('base64url') };
}

/**
 * The keys the provider publishes and signs with, the newest (the signing one)
 * first; creates the first key when there is none. Two instances starting at
 * once may both create one: both are valid, the newest signs.
 */
export async function loadSigningKeys(now = new Date()): Promise<PrivateJwk[]> {
  let rows = await publishedKeys(now);
  if (rows.length === 0) {
    await prisma.oidcSigningKey.create({ data: await newKeyRow(), select: { kid: true } });
    rows = await publishedKeys(now);
  }
  const keys: PrivateJwk[] = [];
  for (const row of rows) {
    const opened = unseal(SEAL_PURPOSE, row.kid, Buffer.from(row.privateJwk, 'base64url'));
    // Sealed under an AUTH_SECRET no longer configured: unusable, rotate-keys replaces it.
    if (opened) keys.push(JSON.parse(opened) as PrivateJwk);
  }
  if (keys.length === 0 || keys[0]?.kid !== rows[0]?.kid) {
    throw new Error(
      'The current OpenID signing key cannot be opened with AUTH_SECRET: run `npm run oidc -- rotate-keys`.',
    );
  }
  return keys;
}

async function publishedKeys(now: Date) {
  return prisma.oidcSigningKey.findMany({
    where: { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(now.getTime() - RETIRED_KEY_GRACE_MS) } }] },
    orderBy: [{ retiredAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
    select: { kid: true, privateJwk: true },
  });
}

/**
 * A new key signs from the next start of each instance; the keys it replaces
 * are retired now and stay in the JWKS for RETIRED_KEY_GRACE_MS. Keys retired
 * longer ago are deleted.
 */
export async function rotateSigningKeys(
  now = new Date(),
): Promise<{ kid: string; retired: string[]; deleted: number }> {
  const row = await newKeyRow();
  return prisma.$transaction(async (tx) => {
    const current = await tx.oidcSigningKey.findMany({ where: { retiredAt: null }, select: { kid: true } });
    await tx.oidcSigningKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now } });
    const { count } = await tx.oidcSigningKey.deleteMany({
      where: { retiredAt: { lte: new Date(now.getTime() - RETIRED_KEY_GRACE_MS) } },
    });
    await tx.oidcSigningKey.create({ data: row, select: { kid: true } });
    return { kid: row.kid, retired: current.map((key) => key.kid), deleted: count };
  });
}

export async function listSigningKeys(now = new Date()): Promise<SigningKeyInfo[]> {
  const rows = await prisma.oidcSigningKey.findMany({
    orderBy: { createdAt: 'desc' },
    select: { kid: true, alg: true, createdAt: true, retiredAt: true },
  });
  return rows.map((row) => ({
    ...row,
    active: row.retiredAt === null || row.retiredAt.getTime() > now.getTime() - RETIRED_KEY_GRACE_MS,
  }));
}
