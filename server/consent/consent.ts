import 'server-only';

import { cache } from 'react';

import { brand } from '@/lib/brand';
import type { Locale } from '@/lib/i18n/config';
import { isUuid } from '@/lib/uuid';
import { Prisma } from '@/server/generated/prisma/client';
import { subjectPseudonym } from '@/server/platform/crypto';
import { withCustomerLock } from '@/server/platform/customer-lock';
import { getPool, prisma, type Tx } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { writeEvent } from '@/server/platform/outbox';

export const TERMS_PURPOSE = 'terms-of-service';

export type PurposeVersionRef = { key: string; version: number; policyUrl: string };

/** The terms a new customer accepts: the current version of the required purpose. */
export async function getCurrentTerms(): Promise<PurposeVersionRef> {
  const purpose = await prisma.consentPurpose.findUnique({
    where: { key: TERMS_PURPOSE },
    select: { key: true, currentVersion: true, versions: { select: { version: true, policyUrl: true } } },
  });
  const current = purpose?.versions.find((v) => v.version === purpose.currentVersion);
  if (!purpose || !current)
    throw new Error(`Consent purpose ${TERMS_PURPOSE} is missing: run npm run db:migrate (npm start applies it too)`);
  return { key: purpose.key, version: current.version, policyUrl: current.policyUrl };
}

/** Writes one immutable consent receipt in the caller's transaction. */
export async function recordConsent(
  tx: Tx,
  input: {
    customerId: string;
    purpose: PurposeVersionRef;
    granted: boolean;
    collectionMethod: string;
    channel: string;
    jurisdiction?: string;
  },
): Promise<void> {
  await tx.consentReceipt.create({
    data: {
      customerId: input.customerId,
      subjectPseudonym: subjectPseudonym(input.customerId),
      purposeKey: input.purpose.key,
      purposeVersion: input.purpose.version,
      policyUrl: input.purpose.policyUrl,
      granted: input.granted,
      collectionMethod: input.collectionMethod,
      channel: input.channel,
      jurisdiction: input.jurisdiction ?? 'EU',
    },
  });
}

// ── The consent dashboard ──
// docs/decisions/012-consent-receipts-versions-and-gpc.md

/**
 * Who decides why and how personal data is used (GDPR art. 4(7)), as consent
 * receipts name it. Append-only: a receipt names the controller in force when
 * it was written, so a new controller is a new entry with its start date.
 */
export const DATA_CONTROLLERS: ReadonlyArray<{ validFrom: string; name: string; email: string; privacyPath: string }> =
  [{ validFrom: '2026-01-01T00:00:00Z', name: brand.name, email: brand.supportEmail, privacyPath: brand.privacyUrl }];

function controllerAt(at: Date) {
  const entries = DATA_CONTROLLERS.filter((c) => new Date(c.validFrom) <= at);
  return entries.at(-1) ?? DATA_CONTROLLERS[0]!;
}

/** Purposes that are a "sale" or "sharing" of personal information under the CCPA: a GPC signal opts out of them. */
export const SALE_AND_SHARING_PURPOSES: readonly string[] = ['partner-sharing'];

export type ConsentState = {
  /** The latest answer, or null when the customer never answered for this purpose. */
  granted: boolean | null;
  /** The version of the text that answer was given for. */
  version: number | null;
  answeredAt: Date | null;
};

export type PurposeView = {
  key: string;
  legalBasis: string;
  required: boolean;
  currentVersion: number;
  title: string;
  text: string;
  policyUrl: string;
  state: ConsentState;
  /**
   * Granted for an older text than the current one: the customer is asked
   * again; until they answer, the consent covers the older text only.
   */
  needsReview: boolean;
};

/** Granted for an older text than the current one (countConsentsToReview counts these). */
export const needsReview = (state: ConsentState, currentVersion: number) =>
  state.granted === true && state.version !== null && state.version < currentVersion;

/** Every purpose, with its current text in the customer's language and their latest answer. */
export async function listPurposesFor(customerId: string, locale: Locale): Promise<PurposeView[]> {
  const [purposes, current] = await Promise.all([
    prisma.consentPurpose.findMany({
      orderBy: [{ sortOrder: 'asc' }, { key: 'asc' }],
      select: {
        key: true,
        legalBasis: true,
        required: true,
        currentVersion: true,
        versions: {
          select: { version: true, titleEn: true, titleFr: true, textEn: true, textFr: true, policyUrl: true },
        },
      },
    }),
    currentConsents(customerId),
  ]);
  return purposes.flatMap((p) => {
    const text = p.versions.find((v) => v.version === p.currentVersion);
    if (!text) return [];
    const state: ConsentState = current.get(p.key) ?? { granted: null, version: null, answeredAt: null };
    return [
      {
        key: p.key,
        legalBasis: p.legalBasis,
        required: p.required,
        currentVersion: p.currentVersion,
        title: locale === 'fr' ? text.titleFr : text.titleEn,
        text: locale === 'fr' ? text.textFr : text.textEn,
        policyUrl: text.policyUrl,
        state,
        needsReview: needsReview(state, p.currentVersion),
      },
    ];
  });
}

/** How many purposes the customer is asked about again (a new text for something they granted). */
export async function countConsentsToReview(customerId: string): Promise<number> {
  // On every account page (the layout's banner): a plain pg query, lighter
  // than Prisma's $queryRaw, and named (prepared) so that it is planned once
  // per connection rather than on every page.
  const { rows } = await getPool().query<{ count: number }>({
    name: 'accord-consents-to-review',
    text: `SELECT count(*)::int AS count
     FROM accord_current_consents($1) c JOIN consent_purposes p ON p.key = c.purpose_key
     WHERE c.granted AND c.purpose_version < p.current_version`,
    values: [customerId],
  });
  return rows[0]?.count ?? 0;
}

/**
 * The customer's latest answer per purpose they answered, by purpose key: the
 * one definition of it is the SQL function accord_current_consents, which the
 * consent policy (accord_visible_fields) and the API use too.
 */
async function currentConsents(customerId: string, db: Tx = prisma): Promise<Map<string, ConsentState>> {
  const rows = await db.$queryRaw<
    Array<{ purpose_key: string; purpose_version: number; granted: boolean; answered_at: Date }>
  >`SELECT purpose_key, purpose_version, granted, answered_at FROM accord_current_consents(${customerId}::uuid)`;
  return new Map(
    rows.map((r) => [r.purpose_key, { granted: r.granted, version: r.purpose_version, answeredAt: r.answered_at }]),
  );
}

export type SetConsentResult =
  | { ok: true; changed: boolean }
  | { ok: false; reason: 'unknown-purpose' | 'version-changed' | 'required' | 'not-found' };

/**
 * Grants or withdraws one purpose, effective at once: an immutable receipt and
 * a `consent.updated` event, in one transaction. The answer is for the text
 * version the customer was shown; a newer one is refused so they read it first.
 */
export async function setConsent(
  customerId: string,
  input: { purposeKey: string; version: number; granted: boolean },
  opts: {
    channel: string;
    collectionMethod: string;
    jurisdiction?: string;
    /** Runs in the answer's transaction once recorded: the console's audit row and notice commit with it. */
    onWrite?: (tx: Tx) => Promise<void>;
  },
): Promise<SetConsentResult> {
  // One answer at a time per customer: two quick clicks cannot interleave.
  return withCustomerLock(customerId, async (tx, customer) => {
    if (!customer) return { ok: false, reason: 'not-found' } as const;
    const purpose = await tx.consentPurpose.findUnique({
      where: { key: input.purposeKey },
      select: {
        key: true,
        required: true,
        currentVersion: true,
        versions: { select: { version: true, policyUrl: true } },
      },
    });
    const text = purpose?.versions.find((v) => v.version === purpose.currentVersion);
    if (!purpose || !text) return { ok: false, reason: 'unknown-purpose' } as const;
    if (input.version !== purpose.currentVersion) return { ok: false, reason: 'version-changed' } as const;
    if (purpose.required && !input.granted) return { ok: false, reason: 'required' } as const;
    const latest = (await currentConsents(customerId, tx)).get(purpose.key);
    if (latest && latest.granted === input.granted && latest.version === input.version)
      return { ok: true, changed: false } as const;
    await recordConsent(tx, {
      customerId,
      purpose: { key: purpose.key, version: purpose.currentVersion, policyUrl: text.policyUrl },
      granted: input.granted,
      collectionMethod: opts.collectionMethod,
      channel: opts.channel,
      jurisdiction: opts.jurisdiction,
    });
    await writeEvent(tx, 'consent.updated', customerId, {
      purpose: purpose.key,
      version: purpose.currentVersion,
      granted: input.granted,
      channel: opts.channel,
    });
    await opts.onWrite?.(tx);
    return { ok: true, changed: true } as const;
  });
}

export type ReceiptSummary = {
  id: string;
  purposeKey: string;
  purposeVersion: number;
  granted: boolean;
  collectionMethod: string;
  channel: string;
  jurisdiction: string;
  createdAt: Date;
};

/** The customer's receipts, newest first. */
export async function listReceipts(customerId: string, take = 100): Promise<ReceiptSummary[]> {
  return prisma.consentReceipt.findMany({
    where: { customerId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: {
      id: true,
      purposeKey: true,
      purposeVersion: true,
      granted: true,
      collectionMethod: true,
      channel: true,
      jurisdiction: true,
      createdAt: true,
    },
  });
}

/** Purpose titles for the history, in the customer's language. */
// Once per request (React cache): the privacy page and its "Apps with access" both name purposes.
export const purposeTitles = cache(async (locale: Locale): Promise<Record<string, string>> => {
  const rows = await prisma.consentPurposeVersion.findMany({
    select: { purposeKey: true, version: true, titleEn: true, titleFr: true },
    orderBy: { version: 'asc' },
  });
  return Object.fromEntries(rows.map((r) => [r.purposeKey, locale === 'fr' ? r.titleFr : r.titleEn]));
});

// What each purpose uses, for the receipts' piiCategory (Kantara CR 1.1).
const PURPOSE_DATA: Record<string, string[]> = {
  'terms-of-service': ['identity', 'contact details', 'account activity'],
  'marketing-emails': ['first name', 'email address'],
  personalization: ['profile', 'preferences', 'purchase history', 'activity on our sites and apps'],
  analytics: ['usage data'],
  'partner-sharing': ['name', 'email address', 'phone number', 'postal address'],
};

/** What a consent receipt shows, on the dashboard's download and in the export. */
export const RECEIPT_FIELDS = {
  id: true,
  subjectPseudonym: true,
  purposeKey: true,
  purposeVersion: true,
  granted: true,
  collectionMethod: true,
  channel: true,
  jurisdiction: true,
  policyUrl: true,
  createdAt: true,
} as const;

/**
 * One receipt as a Kantara Consent Receipt (v1.1 fields), with the exact text
 * the answer was given for. Null unless it belongs to this customer.
 */
export async function getKantaraReceipt(customerId: string, receiptId: string) {
  if (!isUuid(receiptId)) return null;
  const receipt = await prisma.consentReceipt.findFirst({
    where: { id: receiptId, customerId },
    select: RECEIPT_FIELDS,
  });
  if (!receipt) return null;
  const [text, purpose] = await Promise.all([
    prisma.consentPurposeVersion.findUnique({
      where: { purposeKey_version: { purposeKey: receipt.purposeKey, version: receipt.purposeVersion } },
      select: { titleEn: true, titleFr: true, textEn: true, textFr: true, publishedAt: true },
    }),
    prisma.consentPurpose.findUnique({
      where: { key: receipt.purposeKey },
      select: { legalBasis: true, required: true },
    }),
  ]);
  return toKantara(receipt, text, purpose);
}

/** A receipt as the Kantara rendering needs it: the summary, with its pseudonym and policy. */
type ReceiptRow = ReceiptSummary & { subjectPseudonym: string; policyUrl: string };

export function toKantara(
  receipt: ReceiptRow,
  text: { titleEn: string; titleFr: string; textEn: string; textFr: string; publishedAt: Date } | null,
  purpose: { legalBasis: string; required: boolean } | null,
) {
  const appUrl = getEnv().APP_URL;
  const absolute = (url: string) => (url.startsWith('/') ? `${appUrl}${url}` : url);
  const controller = controllerAt(receipt.createdAt);
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: receipt.jurisdiction,
    consentTimestamp: Math.floor(receipt.createdAt.getTime() / 1000),
    collectionMethod: receipt.collectionMethod,
    consentReceiptID: receipt.id,
    language: 'en',
    piiPrincipalId: receipt.subjectPseudonym,
    piiControllers: [
      {
        piiController: controller.name,
        contact: controller.email,
        email: controller.email,
        piiControllerUrl: absolute(controller.privacyPath),
      },
    ],
    policyUrl: absolute(receipt.policyUrl),
    services: [
      {
        service: `${controller.name} customer account`,
        purposes: [
          {
            purpose: text?.titleEn ?? receipt.purposeKey,
            purposeCategory: [receipt.purposeKey],
            consentType: purpose?.legalBasis === 'consent' ? 'EXPLICIT' : 'IMPLICIT',
            piiCategory: PURPOSE_DATA[receipt.purposeKey] ?? [],
            primaryPurpose: purpose?.required ?? false,
            termination: purpose?.required
              ? 'When the account is deleted'
              : 'When withdrawn on the privacy dashboard, at any time',
            thirdPartyDisclosure: SALE_AND_SHARING_PURPOSES.includes(receipt.purposeKey),
          },
        ],
      },
    ],
    sensitive: false,
    spiCat: [],
    // Accord's own fields: what the customer answered, where, and the exact text.
    accord: {
      purposeKey: receipt.purposeKey,
      purposeVersion: receipt.purposeVersion,
      granted: receipt.granted,
      channel: receipt.channel,
      legalBasis: purpose?.legalBasis ?? null,
      text: text
        ? {
            en: { title: text.titleEn, text: text.textEn },
            fr: { title: text.titleFr, text: text.textFr },
            publishedAt: text.publishedAt.toISOString(),
          }
        : null,
    },
  };
}

/**
 * Publishes a new version of a purpose's text. Customers who granted an older
 * version are asked again; their consent covers the older text until they answer.
 */
export async function publishPurposeVersion(
  key: string,
  text: { titleEn: string; titleFr: string; textEn: string; textFr: string; policyUrl: string },
): Promise<{ version: number }> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<
      Array<{ current_version: number }>
    >`SELECT current_version FROM consent_purposes WHERE key = ${key} FOR UPDATE`;
    if (!locked[0]) throw new Error(`Unknown consent purpose ${key}`);
    const version = locked[0].current_version + 1;
    await tx.consentPurposeVersion.create({ data: { purposeKey: key, version, ...text } });
    await tx.consentPurpose.update({ where: { key }, data: { currentVersion: version } });
    return { version };
  });
}

export type OptOut = { kind: string; source: string; createdAt: Date };

export async function listOptOuts(customerId: string): Promise<OptOut[]> {
  return prisma.privacyOptOut.findMany({
    where: { customerId },
    orderBy: { createdAt: 'asc' },
    select: { kind: true, source: true, createdAt: true },
  });
}

/**
 * Global Privacy Control (a request with `Sec-GPC: 1`): records, once, the
 * customer's opt-out of the sale and sharing of their data (CCPA), and
 * withdraws the purposes that are a sale or sharing. A later explicit grant on
 * the dashboard stands: the signal is not re-applied over it.
 * https://privacycg.github.io/gpc-spec/
 */
export async function recordGlobalPrivacyControl(
  customerId: string,
  userAgent: string,
): Promise<{ recorded: boolean }> {
  const existing = await prisma.privacyOptOut.findUnique({
    where: { customerId_kind: { customerId, kind: 'sale-sharing' } },
    select: { kind: true },
  });
  if (existing) return { recorded: false };
  try {
    return await withCustomerLock(customerId, async (tx, customer) => {
      if (!customer) return { recorded: false };
      await tx.privacyOptOut.create({
        data: {
          customerId,
          kind: 'sale-sharing',
          source: 'global-privacy-control',
          userAgent: userAgent.slice(0, 512),
        },
        select: { kind: true },
      });
      const latest = await currentConsents(customerId, tx);
      const withdrawn: string[] = [];
      for (const key of SALE_AND_SHARING_PURPOSES) {
        if (latest.get(key)?.granted !== true) continue;
        const purpose = await tx.consentPurpose.findUnique({
          where: { key },
          select: { currentVersion: true, versions: { select: { version: true, policyUrl: true } } },
        });
        const text = purpose?.versions.find((v) => v.version === purpose.currentVersion);
        if (!purpose || !text) continue;
        await recordConsent(tx, {
          customerId,
          purpose: { key, version: purpose.currentVersion, policyUrl: text.policyUrl },
          granted: false,
          collectionMethod: 'global-privacy-control',
          channel: 'portal',
          jurisdiction: 'US-CA',
        });
        withdrawn.push(key);
      }
      await writeEvent(tx, 'consent.updated', customerId, {
        optOut: 'sale-sharing',
        source: 'global-privacy-control',
        withdrawn,
        channel: 'portal',
      });
      return { recorded: true };
    });
  } catch (error) {
    // The same signal on two concurrent requests: the other one recorded it.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { recorded: false };
    throw error;
  }
}
