import 'server-only';

import { prisma } from '../platform/db';

// The consent purposes the brand asks for: reference data, part of the release.
// Applied on every start (scripts/db/prepare.ts); a new text is published by
// raising its `version` and deploying.
// docs/decisions/021-reference-data-and-production-defaults.md

export type DeclaredPurpose = {
  key: string;
  /**
   * The text version this release declares. Raise it (to the database's current
   * version + 1) to publish a changed text: customers who granted the older one
   * are asked again. A text edited without a new version is not published.
   */
  version: number;
  legalBasis: 'contract' | 'consent';
  required: boolean;
  sortOrder: number;
  titleEn: string;
  titleFr: string;
  textEn: string;
  textFr: string;
  policyUrl: string;
};

export const CONSENT_PURPOSES: readonly DeclaredPurpose[] = [
  {
    key: 'terms-of-service',
    version: 1,
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
    version: 1,
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
    // Version 2 names the activity signals (docs/decisions/035-personalization.md §7). Texts are
    // versioned reference data, so the retention is the default SIGNAL_RETENTION_DAYS written out:
    // raising that variable above 90 needs a new version of this text.
    version: 2,
    legalBasis: 'consent',
    required: false,
    sortOrder: 2,
    titleEn: 'Personalization',
    titleFr: 'Personnalisation',
    textEn:
      'We use your profile (language, country, how long you have been a member), the preferences you set and your activity on our sites and apps (categories you viewed, your cart, your purchases, kept up to 90 days) to choose what you see in every app of the brand you allow.',
    textFr:
      'Nous utilisons votre profil (langue, pays, ancienneté), les préférences que vous indiquez et votre activité sur nos sites et applications (catégories consultées, panier, achats, conservés 90 jours au plus) pour choisir ce que vous voyez dans chaque application de la marque que vous autorisez.',
    policyUrl: '/legal/privacy#personalization',
  },
  {
    key: 'analytics',
    version: 1,
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
    version: 1,
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

// Two starts at once (several instances, the worker) apply it one at a time.
const APPLY_LOCK = 0x61636370; // "accp"

export type PurposesReport = {
  created: string[];
  published: Array<{ key: string; version: number }>;
  /** Declared texts the database does not show, and why. */
  warnings: string[];
};

const TEXT_FIELDS = ['titleEn', 'titleFr', 'textEn', 'textFr', 'policyUrl'] as const;

/** The declared purposes, applied (what every start does). No parameter: tests pass it to beforeAll. */
export function ensureConsentPurposes(): Promise<PurposesReport> {
  return applyConsentPurposes(CONSENT_PURPOSES);
}

/**
 * Brings consent_purposes in line with the declaration, idempotently: a missing
 * purpose is created at its declared version; a declared version above the
 * current one is published (a new version row, current_version raised), which
 * asks again everyone who granted the older text (listPurposesFor's needsReview).
 * An existing version's text is never rewritten, and a purpose the declaration
 * no longer names is left alone: receipts point at them.
 */
export async function applyConsentPurposes(declared: readonly DeclaredPurpose[]): Promise<PurposesReport> {
  const report: PurposesReport = { created: [], published: [], warnings: [] };
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${APPLY_LOCK})`;
      for (const p of declared) {
        const text = {
          titleEn: p.titleEn,
          titleFr: p.titleFr,
          textEn: p.textEn,
          textFr: p.textFr,
          policyUrl: p.policyUrl,
        };
        const attributes = { legalBasis: p.legalBasis, required: p.required, sortOrder: p.sortOrder };
        const current = await tx.consentPurpose.findUnique({
          where: { key: p.key },
          select: { currentVersion: true, legalBasis: true, required: true, sortOrder: true },
        });
        if (!current) {
          await tx.consentPurpose.create({
            data: {
              key: p.key,
              ...attributes,
              currentVersion: p.version,
              versions: { create: { version: p.version, ...text } },
            },
            select: { key: true },
          });
          report.created.push(p.key);
          continue;
        }
        if (
          current.legalBasis !== p.legalBasis ||
          current.required !== p.required ||
          current.sortOrder !== p.sortOrder
        ) {
          await tx.consentPurpose.update({ where: { key: p.key }, data: attributes, select: { key: true } });
        }
        if (p.version > current.currentVersion) {
          await tx.consentPurposeVersion.create({ data: { purposeKey: p.key, version: p.version, ...text } });
          await tx.consentPurpose.update({
            where: { key: p.key },
            data: { currentVersion: p.version },
            select: { key: true },
          });
          report.published.push({ key: p.key, version: p.version });
          continue;
        }
        const stored = await tx.consentPurposeVersion.findUnique({
          where: { purposeKey_version: { purposeKey: p.key, version: p.version } },
          select: { titleEn: true, titleFr: true, textEn: true, textFr: true, policyUrl: true },
        });
        if (stored && TEXT_FIELDS.some((field) => stored[field] !== text[field])) {
          report.warnings.push(
            `consent purpose ${p.key}: the declared text differs from version ${p.version} in the database, which stays as it is. ` +
              `To publish it, set its version to ${current.currentVersion + 1} in server/consent/purposes.ts.`,
          );
        } else if (p.version < current.currentVersion) {
          report.warnings.push(
            `consent purpose ${p.key}: version ${current.currentVersion} in the database is newer than the declared version ${p.version}; it stays current.`,
          );
        }
      }
    },
    // Instances starting at once wait for the lock in turn.
    { maxWait: 20_000, timeout: 30_000 },
  );
  return report;
}
