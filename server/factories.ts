import 'server-only';

import { randomUUID } from 'node:crypto';

import { recordConsent } from './consent';
import { hmac, randomCode, randomToken, sha256 } from './crypto';
import { prisma } from './db';

// Shared by prisma/seed.ts and the tests: one way to make demo data.

type PurposeSeed = {
  key: string;
  legalBasis: 'contract' | 'consent';
  required: boolean;
  sortOrder: number;
  titleEn: string;
  titleFr: string;
  textEn: string;
  textFr: string;
  policyUrl: string;
};

export const CONSENT_PURPOSES: PurposeSeed[] = [
  {
    key: 'terms-of-service',
    legalBasis: 'contract',
    required: true,
    sortOrder: 0,
    titleEn: 'Terms of use and privacy notice',
    titleFr: "Conditions d'utilisation et politique de confidentialité",
    textEn:
      'You agree to the terms of use and have read the privacy notice, which explains how we use your data to run your account.',
    textFr:
      "Vous acceptez les conditions d'utilisation et avez lu la politique de confidentialité, qui explique comment nous utilisons vos données pour gérer votre compte.",
    policyUrl: '/legal/terms',
  },
  {
    key: 'marketing-emails',
    legalBasis: 'consent',
    required: false,
    sortOrder: 1,
    titleEn: 'Marketing emails',
    titleFr: 'E-mails commerciaux',
    textEn: 'We send you news and offers by email.',
    textFr: 'Nous vous envoyons nos actualités et offres par e-mail.',
    policyUrl: '/legal/privacy#marketing',
  },
  {
    key: 'personalization',
    legalBasis: 'consent',
    required: false,
    sortOrder: 2,
    titleEn: 'Personalization',
    titleFr: 'Personnalisation',
    textEn: 'We use your preferences from every channel to personalize what you see.',
    textFr: 'Nous utilisons vos préférences, sur tous nos canaux, pour personnaliser ce que vous voyez.',
    policyUrl: '/legal/privacy#personalization',
  },
  {
    key: 'analytics',
    legalBasis: 'consent',
    required: false,
    sortOrder: 3,
    titleEn: 'Analytics',
    titleFr: "Mesure d'audience",
    textEn: 'We measure how our services are used to improve them.',
    textFr: 'Nous mesurons l’utilisation de nos services pour les améliorer.',
    policyUrl: '/legal/privacy#analytics',
  },
  {
    key: 'partner-sharing',
    legalBasis: 'consent',
    required: false,
    sortOrder: 4,
    titleEn: 'Sharing with partners',
    titleFr: 'Partage avec nos partenaires',
    textEn: 'We share your contact details with selected partners for their offers.',
    textFr: 'Nous partageons vos coordonnées avec des partenaires choisis pour leurs offres.',
    policyUrl: '/legal/privacy#partners',
  },
];

/** Creates the consent purposes at version 1 if missing; never rewrites an existing text. */
export async function ensureConsentPurposes(): Promise<void> {
  for (const p of CONSENT_PURPOSES) {
    await prisma.consentPurpose.upsert({
      where: { key: p.key },
      update: {},
      create: {
        key: p.key,
        legalBasis: p.legalBasis,
        required: p.required,
        sortOrder: p.sortOrder,
        currentVersion: 1,
        versions: {
          create: {
            version: 1,
            titleEn: p.titleEn,
            titleFr: p.titleFr,
            textEn: p.textEn,
            textFr: p.textFr,
            policyUrl: p.policyUrl,
          },
        },
      },
    });
  }
}

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
 * A signed-in session for tests and the benchmark, exactly as startSession()
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
 * server/sign-in.ts requestSignIn stores one (hashes only), without its mail:
 * for the tests and the benchmark. The code page needs the id in the
 * `accord.signin` cookie; the link is /signin/confirm?token=<token>.
 */
export async function createSignInChallenge(
  opts: { email?: string; expired?: boolean; locale?: 'en' | 'fr' } = {},
): Promise<{ id: string; email: string; code: string; token: string }> {
  const email = (opts.email ?? `challenge-${randomUUID()}@example.test`).toLowerCase();
  const code = randomCode();
  const token = randomToken();
  // server/sign-in.ts CHALLENGE_TTL_MS (not imported: it pulls in the mailer).
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
