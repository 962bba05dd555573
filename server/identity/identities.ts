import 'server-only';

import { Prisma } from '@/server/generated/prisma/client';
import { randomToken, sha256 } from '@/server/platform/crypto';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { recordSecurityEvent } from './security-events';

// Third-party identities (OpenID Connect, server/identity/oidc.ts) linked to customers,
// and the pending links waiting for the customer to prove the matching account.

// The device that started a link holds its token in the identityLink cookie (server/platform/cookies.ts).
const PENDING_LINK_TTL_MS = 15 * 60 * 1000;

/** What a third-party sign-in may do, given what the database and the provider say. */
export type OidcSignInDecision =
  | { action: 'sign-in' }
  | { action: 'register' }
  | { action: 'confirm-link'; customerId: string }
  | { action: 'refuse'; reason: 'email-missing' | 'email-unverified' | 'signed-in' };

/**
 * The linking rules, as a pure function (tests/integration/oidc.test.ts):
 * - an identity already linked signs in to its customer;
 * - a browser already signed in links nothing (Auth.js would link silently);
 * - without an email the provider vouches for (`email_verified === true`), nothing happens;
 * - a verified email of an existing customer is linked only after the customer
 *   proves that account (email code or passkey), never silently;
 * - otherwise a new customer is registered.
 */
export function decideOidcSignIn(input: {
  linkedCustomerId: string | null;
  signedInCustomerId: string | null;
  email: string | null;
  emailVerified: boolean;
  existingCustomerId: string | null;
}): OidcSignInDecision {
  if (input.linkedCustomerId) {
    if (input.signedInCustomerId && input.signedInCustomerId !== input.linkedCustomerId)
      return { action: 'refuse', reason: 'signed-in' };
    return { action: 'sign-in' };
  }
  if (input.signedInCustomerId) return { action: 'refuse', reason: 'signed-in' };
  if (!input.email) return { action: 'refuse', reason: 'email-missing' };
  if (!input.emailVerified) return { action: 'refuse', reason: 'email-unverified' };
  if (input.existingCustomerId) return { action: 'confirm-link', customerId: input.existingCustomerId };
  return { action: 'register' };
}

/** The display name of a configured provider; the id itself once it is no longer configured. */
export function providerName(providerId: string): string {
  return getEnv().oidcProviders.find((p) => p.id === providerId)?.name ?? providerId;
}

export async function findLinkedCustomer(provider: string, providerAccountId: string): Promise<string | null> {
  const account = await prisma.account.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    select: { userId: true },
  });
  return account?.userId ?? null;
}

export async function findCustomerIdByEmail(email: string): Promise<string | null> {
  return (await prisma.user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;
}

/**
 * Remembers a third-party identity waiting to be linked to `customerId`.
 * Returns the token for the cookie; only its hash is stored.
 */
export async function createPendingIdentityLink(
  customerId: string,
  provider: string,
  providerAccountId: string,
): Promise<string> {
  const token = randomToken();
  await prisma.$transaction([
    // Expired ones are of no use to anybody, and an older request for the same identity is replaced.
    prisma.pendingIdentityLink.deleteMany({
      where: { OR: [{ expiresAt: { lt: new Date() } }, { customerId, provider, providerAccountId }] },
    }),
    prisma.pendingIdentityLink.create({
      data: {
        tokenHash: sha256(token),
        customerId,
        provider,
        providerAccountId,
        // What Auth.js's linkAccount would have stored: no third-party tokens (server/identity/oidc.ts).
        account: { type: 'oidc', provider, providerAccountId },
        expiresAt: new Date(Date.now() + PENDING_LINK_TTL_MS),
      },
    }),
  ]);
  return token;
}

export type PendingIdentityLinkSummary = {
  customerId: string;
  email: string;
  provider: string;
  providerName: string;
  hasPasskey: boolean;
};

/** Read-only: what the link page shows. Null once expired or used. */
export async function getPendingIdentityLink(token: string | undefined): Promise<PendingIdentityLinkSummary | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const pending = await prisma.pendingIdentityLink.findFirst({
    where: { tokenHash: sha256(token), expiresAt: { gt: new Date() } },
    select: {
      customerId: true,
      provider: true,
      customer: { select: { email: true, _count: { select: { passkeys: true } } } },
    },
  });
  if (!pending) return null;
  return {
    customerId: pending.customerId,
    email: pending.customer.email,
    provider: pending.provider,
    providerName: providerName(pending.provider),
    hasPasskey: pending.customer._count.passkeys > 0,
  };
}

export type CompleteLinkResult = { ok: true; provider: string } | { ok: false; reason: 'expired' | 'linked-elsewhere' };

/**
 * Links the pending identity once the customer proved the account it points
 * to. Single use: the pending row is taken by one conditional DELETE, so a
 * replay or a concurrent second proof finds nothing. Mails the customer.
 */
export async function completeIdentityLink(token: string, provenCustomerId: string): Promise<CompleteLinkResult> {
  const taken = await prisma.$queryRaw<Array<{ provider: string; provider_account_id: string }>>`
    DELETE FROM pending_identity_links
    WHERE token_hash = ${sha256(token)} AND customer_id = ${provenCustomerId}::uuid AND expires_at > now()
    RETURNING provider, provider_account_id`;
  const pending = taken[0];
  if (!pending) return { ok: false, reason: 'expired' };
  const where = {
    provider_providerAccountId: { provider: pending.provider, providerAccountId: pending.provider_account_id },
  };
  try {
    await prisma.account.create({
      data: {
        userId: provenCustomerId,
        type: 'oidc',
        provider: pending.provider,
        providerAccountId: pending.provider_account_id,
      },
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    // Linked in the meantime (two tabs): fine if to this customer, refused otherwise.
    const owner = await prisma.account.findUnique({ where, select: { userId: true } });
    if (owner?.userId !== provenCustomerId) return { ok: false, reason: 'linked-elsewhere' };
    return { ok: true, provider: pending.provider };
  }
  await recordSecurityEvent(
    provenCustomerId,
    'identity.linked',
    { provider: providerName(pending.provider), providerId: pending.provider },
    { notify: true },
  );
  return { ok: true, provider: pending.provider };
}

export async function cancelPendingIdentityLink(token: string | undefined): Promise<void> {
  if (!token) return;
  await prisma.pendingIdentityLink.deleteMany({ where: { tokenHash: sha256(token) } });
}

export type IdentitySummary = { id: string; provider: string; providerName: string; linkedAt: Date };

export async function listIdentities(customerId: string): Promise<IdentitySummary[]> {
  const rows = await prisma.account.findMany({
    where: { userId: customerId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, provider: true, createdAt: true },
  });
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    providerName: providerName(r.provider),
    linkedAt: r.createdAt,
  }));
}

/**
 * The ways a customer could still sign in without the identity `excludingIdentityId`:
 * email (a code or link to the customer's address, always offered), passkeys,
 * and the other linked identities.
 */
async function signInWaysLeft(tx: Tx, customerId: string, excludingIdentityId: string): Promise<number> {
  const [customer, passkeys, identities] = await Promise.all([
    tx.user.findUnique({ where: { id: customerId }, select: { email: true } }),
    tx.passkey.count({ where: { customerId } }),
    tx.account.count({ where: { userId: customerId, NOT: { id: excludingIdentityId } } }),
  ]);
  return (customer?.email ? 1 : 0) + passkeys + identities;
}

export type UnlinkResult = { ok: true } | { ok: false; reason: 'not-found' | 'last-way' };

/** Unlinks one of the customer's identities, unless it is the last way left to sign in. */
export async function unlinkIdentity(customerId: string, identityId: string): Promise<UnlinkResult> {
  // One unlink at a time per customer, so two at once cannot both pass the check.
  const result = await withCustomerLock(customerId, async (tx): Promise<UnlinkResult & { provider?: string }> => {
    const identity = await tx.account.findFirst({
      where: { id: identityId, userId: customerId },
      select: { id: true, provider: true },
    });
    if (!identity) return { ok: false, reason: 'not-found' };
    if ((await signInWaysLeft(tx, customerId, identity.id)) === 0) return { ok: false, reason: 'last-way' };
    await tx.account.delete({ where: { id: identity.id } });
    return { ok: true, provider: identity.provider };
  });
  if (!result.ok) return result;
  await recordSecurityEvent(
    customerId,
    'identity.unlinked',
    { provider: providerName(result.provider!) },
    { notify: false },
  );
  return { ok: true };
}
