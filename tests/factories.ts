import 'server-only';

import { randomUUID } from 'node:crypto';

import { recordConsent } from '@/server/consent/consent';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import type { AuditActor } from '@/server/platform/audit';
import { hmac, randomCode, randomToken, sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';

// Shared by prisma/seed.ts and the tests: one way to make demo data.

/** Who registers the tests' apps and rotates their secrets: the audit trail names every writer. */
export const TEST_ACTOR: AuditActor = { type: 'cli', label: 'cli:test' };

export type CustomerSeed = {
  email?: string;
  firstName?: string | null;
  lastName?: string | null;
  locale?: 'en' | 'fr';
  onboarded?: boolean;
  address?: { line1: string; postalCode: string; city: string; country: string } | null;
};

/**
 * An onboarded customer (first name, terms accepted) unless told otherwise.
 * Idempotent on email: an existing customer is returned as it is.
 */
export async function createCustomer(seed: CustomerSeed = {}): Promise<{ id: string; email: string }> {
  const email = (seed.email ?? `customer-${randomUUID()}@example.test`).toLowerCase();
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (existing) return existing;
  const onboarded = seed.onboarded ?? true;
  if (onboarded) await ensureConsentPurposes();
  return prisma.$transaction(async (tx) => {
    const customer = await tx.user.create({
      data: {
        email,
        emailVerified: new Date(),
        firstName: seed.firstName === undefined ? 'Alex' : seed.firstName,
        lastName: seed.lastName ?? null,
        locale: seed.locale ?? 'en',
        onboardedAt: onboarded ? new Date() : null,
        addresses: seed.address ? { create: { kind: 'home', line2: null, ...seed.address } } : undefined,
      },
      select: { id: true, email: true },
    });
    if (onboarded) {
      const terms = await tx.consentPurposeVersion.findFirstOrThrow({
        where: { purposeKey: 'terms-of-service' },
        orderBy: { version: 'desc' },
        select: { purposeKey: true, version: true, policyUrl: true },
      });
      await recordConsent(tx, {
        customerId: customer.id,
        purpose: { key: terms.purposeKey, version: terms.version, policyUrl: terms.policyUrl },
        granted: true,
        collectionMethod: 'seed',
        channel: 'seed',
      });
    }
    return customer;
  });
}

/**
 * A signed-in session for tests, exactly as startSession()
 * stores it: returns the cookie value to set (name: authjs.session-token over http).
 */
export async function createSessionFor(
  customerId: string,
  opts: { authenticatedAt?: Date } = {},
): Promise<{ token: string }> {
  const token = randomToken();
  await prisma.session.create({
    data: {
      sessionToken: sha256(token),
      userId: customerId,
      expires: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000),
      authenticatedAt: opts.authenticatedAt ?? new Date(),
      authMethod: 'test-fixture',
    },
  });
  return { token };
}

/**
 * A pending sign-in challenge with a known link token and code, stored as
 * server/identity/sign-in.ts requestSignIn stores one (hashes only), without its mail:
 * for the tests. The code page needs the id in the
 * `accord.signin` cookie; the link is /signin/confirm?token=<token>.
 */
export async function createSignInChallenge(
  opts: { email?: string; expired?: boolean; locale?: 'en' | 'fr' } = {},
): Promise<{ id: string; email: string; code: string; token: string }> {
  const email = (opts.email ?? `challenge-${randomUUID()}@example.test`).toLowerCase();
  const code = randomCode();
  const token = randomToken();
  // server/identity/sign-in.ts CHALLENGE_TTL_MS (not imported: it pulls in the mailer).
  const expiresAt = new Date(Date.now() + (opts.expired ? -60_000 : 15 * 60 * 1000));
  const { id } = await prisma.signInChallenge.create({
    data: {
      email,
      linkTokenHash: sha256(token),
      codeHash: hmac('sign-in-code', code),
      expiresAt,
      locale: opts.locale ?? 'en',
    },
    select: { id: true },
  });
  return { id, email, code, token };
}

export type StaffSeed = {
  email?: string;
  displayName?: string;
  roles: readonly ('administrator' | 'marketer' | 'support-agent' | 'privacy-officer')[];
  locale?: 'en' | 'fr';
  /** Has enrolled a passkey; default true. */
  activated?: boolean;
  disabled?: boolean;
};

/** A staff member (docs/decisions/033-staff-console.md). Staff rows are never deleted: audit rows point at them. */
export async function createStaffMember(seed: StaffSeed): Promise<{ id: string; email: string; displayName: string }> {
  const email = (seed.email ?? `staff-${randomUUID()}@example.test`).toLowerCase();
  return prisma.staffMember.create({
    data: {
      email,
      displayName: seed.displayName ?? 'Dominique Staff',
      roles: [...seed.roles],
      locale: seed.locale ?? 'en',
      activatedAt: seed.activated === false ? null : new Date(),
      disabledAt: seed.disabled ? new Date() : null,
    },
    select: { id: true, email: true, displayName: true },
  });
}

/**
 * A console session for tests, stored as server/staff/sessions.ts startStaffSession
 * stores it: returns the cookie value (name: accord.staff-session over http).
 */
export async function createStaffSessionFor(
  staffId: string,
  opts: { createdAt?: Date; lastActiveAt?: Date } = {},
): Promise<{ token: string; sessionId: string }> {
  const token = randomToken();
  const createdAt = opts.createdAt ?? new Date();
  const session = await prisma.staffSession.create({
    data: {
      tokenHash: sha256(token),
      staffId,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 12 * 60 * 60 * 1000),
      lastActiveAt: opts.lastActiveAt ?? createdAt,
      authenticatedAt: createdAt,
      userAgent: 'test-fixture',
    },
    select: { id: true },
  });
  return { token, sessionId: session.id };
}

/**
 * An open invitation for a staff member, stored as inviteStaff stores one (the
 * token's SHA-256, 24 h unless told otherwise), without its mail: the link is
 * /console/invitation#<token>.
 */
export async function createStaffInvitation(
  staffId: string,
  opts: { expiresAt?: Date } = {},
): Promise<{ token: string }> {
  const token = randomToken();
  await prisma.staffInvitation.create({
    data: {
      tokenHash: sha256(token),
      staffId,
      expiresAt: opts.expiresAt ?? new Date(Date.now() + 24 * 60 * 60 * 1000),
    },
  });
  return { token };
}

/**
 * content: a block saved (and, unless `publish: false`, published) through the content model's
 * own path, by TEST_ACTOR: generic unless a rule is given. The key is unique unless one is given.
 */
export async function createContentBlock(
  opts: {
    slot?: import('@/lib/personalization/catalogue').Slot;
    key?: string;
    body?: Partial<import('@/lib/validation/content').BlockBody>;
    publish?: boolean;
  } = {},
): Promise<{ objectId: string; revisionId: string; key: string }> {
  const { saveRevision, requestPublication } = await import('@/server/personalization/content');
  const key = opts.key ?? `block-${randomUUID().slice(0, 8)}`;
  const rule = opts.body?.rule ?? {};
  const saved = await saveRevision(TEST_ACTOR, {
    objectId: null,
    type: 'block',
    key,
    slot: opts.slot ?? 'hero',
    body: {
      title: { en: `Block ${key}`, fr: `Bloc ${key}` },
      text: { en: '', fr: '' },
      image: null,
      cta: null,
      startsAt: null,
      endsAt: null,
      priority: 0,
      generic: Object.keys(rule).length === 0,
      ...opts.body,
      rule,
    },
    expectedLatestRevisionId: null,
  });
  if (!saved.ok) throw new Error(`createContentBlock: ${JSON.stringify(saved)}`);
  if (opts.publish !== false) {
    const published = await requestPublication(TEST_ACTOR, {
      objectId: saved.objectId,
      revisionId: saved.revisionId,
      expectedLiveRevisionId: null,
    });
    if (!published.ok || published.status !== 'applied')
      throw new Error(`createContentBlock: not published: ${JSON.stringify(published)}`);
  }
  return { objectId: saved.objectId, revisionId: saved.revisionId, key };
}
