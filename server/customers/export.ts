import 'server-only';

import { SIGNAL_TYPES, type SignalKind, type SignalType } from '@/lib/personalization/catalogue';
import { listDataAccess } from '@/server/consent/access-log';
import { RECEIPT_FIELDS, toKantara } from '@/server/consent/consent';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { getProfile, listProfileChanges } from './profile';

// The customer's copy of their data (GDPR art. 15 and 20). The format is
// documented in docs/export-schema.md: change both together, and bump
// EXPORT_SCHEMA_VERSION when a field changes meaning or goes away.
// 2: preferences, preferenceHistory, signals; dataAccessLog[].accessorType may be
// "personalization" (docs/decisions/035-personalization.md §1).
export const EXPORT_SCHEMA_VERSION = 2;

const ALL = 1_000_000;

export async function buildExport(customerId: string) {
  const [
    profile,
    history,
    emailChanges,
    receipts,
    purposeTexts,
    purposes,
    optOuts,
    sessions,
    passkeys,
    accounts,
    accessLog,
  ] = await Promise.all([
    getProfile(customerId),
    listProfileChanges(customerId, ALL),
    prisma.emailChangeRequest.findMany({
      where: { customerId },
      orderBy: { createdAt: 'asc' },
      select: {
        oldEmail: true,
        newEmail: true,
        createdAt: true,
        verifiedAt: true,
        revokedAt: true,
        revertedAt: true,
        channel: true,
      },
    }),
    prisma.consentReceipt.findMany({
      where: { customerId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: RECEIPT_FIELDS,
    }),
    prisma.consentPurposeVersion.findMany({
      select: {
        purposeKey: true,
        version: true,
        titleEn: true,
        titleFr: true,
        textEn: true,
        textFr: true,
        publishedAt: true,
      },
    }),
    prisma.consentPurpose.findMany({ select: { key: true, legalBasis: true, required: true, currentVersion: true } }),
    prisma.privacyOptOut.findMany({ where: { customerId }, select: { kind: true, source: true, createdAt: true } }),
    prisma.session.findMany({
      where: { userId: customerId },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true, lastActiveAt: true, expires: true, authMethod: true, userAgent: true, ipPrefix: true },
    }),
    prisma.passkey.findMany({
      where: { customerId },
      select: { name: true, createdAt: true, lastUsedAt: true, backedUp: true },
    }),
    prisma.account.findMany({ where: { userId: customerId }, select: { provider: true, createdAt: true } }),
    listDataAccess(customerId, ALL),
  ]);
  if (!profile) return null;
  const personalization = await readPersonalization(customerId);

  const texts = new Map(purposeTexts.map((t) => [`${t.purposeKey}:${t.version}`, t]));
  const purposeByKey = new Map(purposes.map((p) => [p.key, p]));
  const current = new Map<string, (typeof receipts)[number]>();
  for (const r of receipts) current.set(r.purposeKey, r);

  return {
    schema: 'accord-export',
    schemaVersion: EXPORT_SCHEMA_VERSION,
    exportedAt: new Date().toISOString(),
    customer: {
      id: customerId,
      email: profile.email,
      emailVerified: profile.emailVerified,
      firstName: profile.firstName,
      lastName: profile.lastName,
      phone: profile.phone,
      locale: profile.locale,
      addresses: profile.addresses,
      version: profile.version,
      createdAt: profile.createdAt.toISOString(),
      provenance: Object.fromEntries(
        Object.entries(profile.provenance).map(([attribute, p]) => [
          attribute,
          { changedAt: p.changedAt.toISOString(), channel: p.channel, verified: p.verified },
        ]),
      ),
    },
    profileHistory: history.reverse().map((h) => ({
      attribute: h.attribute,
      oldValue: h.oldValue,
      newValue: h.newValue,
      channel: h.channel,
      verified: h.verified,
      changedAt: h.changedAt.toISOString(),
    })),
    emailChanges: emailChanges.map((e) => ({
      oldEmail: e.oldEmail,
      newEmail: e.newEmail,
      channel: e.channel,
      requestedAt: e.createdAt.toISOString(),
      verifiedAt: e.verifiedAt?.toISOString() ?? null,
      cancelledAt: e.revokedAt?.toISOString() ?? null,
      revertedAt: e.revertedAt?.toISOString() ?? null,
    })),
    consents: {
      current: [...current.values()].map((r) => ({
        purpose: r.purposeKey,
        granted: r.granted,
        version: r.purposeVersion,
        currentVersion: purposeByKey.get(r.purposeKey)?.currentVersion ?? null,
        answeredAt: r.createdAt.toISOString(),
      })),
      receipts: receipts.map((r) =>
        toKantara(r, texts.get(`${r.purposeKey}:${r.purposeVersion}`) ?? null, purposeByKey.get(r.purposeKey) ?? null),
      ),
      optOuts: optOuts.map((o) => ({ kind: o.kind, source: o.source, recordedAt: o.createdAt.toISOString() })),
    },
    sessions: sessions.map((s) => ({
      startedAt: s.createdAt.toISOString(),
      lastActiveAt: s.lastActiveAt.toISOString(),
      expiresAt: s.expires.toISOString(),
      method: s.authMethod,
      userAgent: s.userAgent,
      network: s.ipPrefix,
    })),
    passkeys: passkeys.map((p) => ({
      name: p.name,
      createdAt: p.createdAt.toISOString(),
      lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
      synced: p.backedUp,
    })),
    connectedAccounts: accounts.map((a) => ({ provider: a.provider, linkedAt: a.createdAt.toISOString() })),
    ...personalization,
    dataAccessLog: accessLog.reverse().map((a) => ({
      accessorType: a.accessorType,
      accessor: a.accessorName,
      fields: a.fields,
      purpose: a.purpose,
      reason: a.reason,
      at: a.occurredAt.toISOString(),
    })),
  };
}

export type CustomerExport = NonNullable<Awaited<ReturnType<typeof buildExport>>>;

const TYPE_OF_KIND = Object.fromEntries(Object.entries(SIGNAL_TYPES).map(([type, kind]) => [kind, type])) as Record<
  SignalKind,
  SignalType
>;

/**
 * Preferences (with their source), their history and the signals, read from
 * the tables: the customer's own data, whatever their consent says now.
 */
async function readPersonalization(customerId: string) {
  const [state, values, changes, signals] = await Promise.all([
    prisma.personalizationState.findUnique({ where: { customerId }, select: { preferencesVersion: true } }),
    prisma.customerPreference.findMany({
      where: { customerId },
      orderBy: [{ setAt: 'asc' }, { name: 'asc' }, { value: 'asc' }],
      select: { name: true, value: true, channel: true, setAt: true },
    }),
    prisma.preferenceChange.findMany({
      where: { customerId },
      orderBy: { id: 'asc' },
      select: { version: true, name: true, oldValue: true, newValue: true, channel: true, changedAt: true },
    }),
    prisma.customerSignal.findMany({
      where: { customerId },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      select: { kind: true, category: true, item: true, occurredAt: true, app: { select: { name: true } } },
    }),
  ]);
  const retentionMs = getEnv().SIGNAL_RETENTION_DAYS * 24 * 60 * 60 * 1000;
  const withSource = (v: (typeof values)[number]) => ({ source: v.channel, setAt: v.setAt.toISOString() });
  const one = (name: string) => values.find((v) => v.name === name);
  const store = one('favouriteStore');
  const clothing = one('size.clothing');
  const shoes = one('size.shoes');
  return {
    preferences: {
      version: state?.preferencesVersion ?? 0,
      interests: values.filter((v) => v.name === 'interest').map((v) => ({ category: v.value, ...withSource(v) })),
      favouriteStore: store ? { store: store.value, ...withSource(store) } : null,
      sizes: {
        clothing: clothing ? { size: clothing.value, ...withSource(clothing) } : null,
        shoes: shoes ? { size: shoes.value, ...withSource(shoes) } : null,
      },
      channels: values.filter((v) => v.name === 'channel').map((v) => ({ channel: v.value, ...withSource(v) })),
    },
    preferenceHistory: changes.map((c) => ({
      version: c.version,
      name: c.name,
      oldValue: c.oldValue,
      newValue: c.newValue,
      channel: c.channel,
      changedAt: c.changedAt.toISOString(),
    })),
    signals: signals.map((g) => ({
      type: TYPE_OF_KIND[g.kind as SignalKind] ?? g.kind,
      category: g.category,
      item: g.item,
      occurredAt: g.occurredAt.toISOString(),
      source: g.app?.name ?? 'portal',
      countsUntil: new Date(g.occurredAt.getTime() + retentionMs).toISOString(),
    })),
  };
}
