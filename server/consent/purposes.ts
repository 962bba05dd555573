import 'server-only';

import { prisma } from '../platform/db';

// The consent purposes the brand asks for: production data, not demo data.

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
