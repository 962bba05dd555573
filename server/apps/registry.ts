import 'server-only';

import { randomBytes, timingSafeEqual } from 'node:crypto';

import { createTranslator } from 'use-intl/core';
import type * as z from 'zod/mini';

import { fieldErrorsFrom } from '@/lib/action-result';
import type { OidcClaim, OidcScope } from '@/lib/oidc/claims';
import {
  AppInputSchema,
  AppSignInSchema,
  CLIENT_ID_PATTERN,
  signInIssues,
  type AppClientType,
  type AppInput,
  type AppScope,
  type AppSignIn,
  type AppSignInInput,
} from '@/lib/validation/app';
import { SHARED_FIELDS, type FieldPurposes, type Reader, type SharedField } from '@/server/consent/policy';
import { Prisma } from '@/server/generated/prisma/client';
import { writeAudit, type AuditActor } from '@/server/platform/audit';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { isPublicHost } from './webhooks/destination';

// The registry of the brand's other apps (`npm run apps`), their client
// credentials and what they declared they need.
// docs/decisions/016-apps-tokens-and-the-consent-policy.md

export { APP_SCOPES, type AppInput, type AppScope } from '@/lib/validation/app';

/** `service` on the command line is the contract the customer accepted at sign-up. */
const PURPOSE_ALIASES: Record<string, string> = { service: 'terms-of-service' };

export type AppRecord = {
  id: string;
  name: string;
  description: string;
  clientId: string;
  purposes: string[];
  fieldPurposes: FieldPurposes;
  scopes: AppScope[];
  webhookUrl: string | null;
  rateLimitPerMinute: number;
  tokensValidAfter: Date;
  dbRole: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  /** Sign-in with Accord (docs/oidc.md): an app with a redirect URI is an OpenID client. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  clientType: AppClientType;
  oidcScopes: OidcScope[];
  requiredClaims: OidcClaim[];
  optionalClaims: OidcClaim[];
  backchannelLogoutUri: string | null;
};

const appSelect = {
  id: true,
  name: true,
  description: true,
  clientId: true,
  purposes: true,
  fieldPurposes: true,
  scopes: true,
  webhookUrl: true,
  rateLimitPerMinute: true,
  tokensValidAfter: true,
  dbRole: true,
  disabledAt: true,
  createdAt: true,
  redirectUris: true,
  postLogoutRedirectUris: true,
  clientType: true,
  oidcScopes: true,
  requiredClaims: true,
  optionalClaims: true,
  backchannelLogoutUri: true,
} as const;

type AppRow = Prisma.AppGetPayload<{ select: typeof appSelect }>;

function toRecord(row: AppRow): AppRecord {
  return {
    ...row,
    fieldPurposes: row.fieldPurposes as FieldPurposes,
    scopes: row.scopes as AppScope[],
    clientType: row.clientType as AppClientType,
    oidcScopes: row.oidcScopes as OidcScope[],
    requiredClaims: row.requiredClaims as OidcClaim[],
    optionalClaims: row.optionalClaims as OidcClaim[],
  };
}

export type CreatedApp = { app: AppRecord; clientSecret: string; webhookSecret: string | null };

/** A declaration refused: the CLI prints the message, the console's form shows the field errors. */
export class AppInputError extends Error {
  constructor(
    message: string,
    /** { field: message key } (messages/*.json, console.apps.errors). */
    readonly fieldErrors: Record<string, string>,
    readonly values: Record<string, string> = {},
  ) {
    super(message);
  }
}

// use-intl/core, not next-intl: `npm run apps` runs this under the react-server condition, where
// next-intl's entry needs React's client hooks.
async function appInputError(fieldErrors: Record<string, string>, values: Record<string, string> = {}) {
  const messages = (await import('../../messages/en.json')).default;
  const t = createTranslator({ locale: 'en', messages });
  const text = Object.entries(fieldErrors)
    .map(([field, key]) => `${field}: ${t(key as Parameters<typeof t>[0], values)}`)
    .join('; ');
  return new AppInputError(text, fieldErrors, values);
}

const E = 'console.apps.errors.';

/** Resolves the declaration against the purposes in the database: {"field": ["purpose", …]}. */
async function resolveFieldPurposes(
  purposes: string[],
  fields: string[],
): Promise<{ purposes: string[]; fieldPurposes: FieldPurposes }> {
  const resolved = [...new Set(purposes.map((p) => PURPOSE_ALIASES[p] ?? p))];
  const known = new Set((await prisma.consentPurpose.findMany({ select: { key: true } })).map((p) => p.key));
  const unknown = resolved.filter((p) => !known.has(p));
  if (unknown.length > 0)
    throw await appInputError(
      { purposes: `${E}purposes.unknown` },
      { purposes: unknown.join(', '), known: ['service', ...known].join(', ') },
    );
  const fieldPurposes: FieldPurposes = {};
  for (const entry of fields) {
    const [field, purpose] = entry.split(':') as [string, string | undefined];
    if (!(SHARED_FIELDS as readonly string[]).includes(field))
      throw await appInputError({ fields: `${E}fields.unknown` }, { field, known: SHARED_FIELDS.join(', ') });
    const forPurposes = purpose === undefined ? resolved : [PURPOSE_ALIASES[purpose] ?? purpose];
    for (const p of forPurposes)
      if (!resolved.includes(p)) throw await appInputError({ fields: `${E}fields.undeclared` }, { field, purpose: p });
    fieldPurposes[field as SharedField] = [
      ...new Set([...(fieldPurposes[field as SharedField] ?? []), ...forPurposes]),
    ];
  }
  return { purposes: resolved, fieldPurposes };
}

const isAllowedDestination = (url: string) => getEnv().WEBHOOK_ALLOW_PRIVATE || isPublicHost(new URL(url).hostname);

/** The OpenID client columns of a checked declaration. */
function signInSettings(app: AppSignIn | z.output<typeof AppInputSchema>) {
  return {
    redirectUris: app.redirectUris,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    clientType: app.clientType,
    oidcScopes: app.oidcScopes,
    requiredClaims: app.requiredClaims,
    optionalClaims: app.optionalClaims,
    backchannelLogoutUri: app.backchannelLogoutUri ?? null,
  };
}

const newClientSecret = () => `cs_${randomBytes(32).toString('base64url')}`;
/** A Standard Webhooks signing key: "whsec_" and base64 of 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** What an app's audit rows say of it: never a secret. */
const auditDetails = (app: Pick<AppRecord, 'name' | 'clientId' | 'scopes'> & Partial<AppRecord>) => ({
  name: app.name,
  clientId: app.clientId,
  scopes: app.scopes,
  ...(app.redirectUris?.length
    ? {
        redirectUris: app.redirectUris,
        postLogoutRedirectUris: app.postLogoutRedirectUris,
        clientType: app.clientType,
        oidcScopes: app.oidcScopes,
        requiredClaims: app.requiredClaims,
        optionalClaims: app.optionalClaims,
        backchannelLogoutUri: app.backchannelLogoutUri,
      }
    : {}),
});

/** Registers an app; the secrets are returned once and only the client secret's hash is kept. */
export async function createApp(input: AppInput, actor: AuditActor): Promise<CreatedApp> {
  const parsed = AppInputSchema.safeParse(input);
  if (!parsed.success) throw await appInputError(fieldErrorsFrom(parsed.error.issues));
  const { name, description, scopes, webhook, rateLimitPerMinute, backchannelLogoutUri } = parsed.data;
  // Checked again on the resolved address at each send (server/apps/webhooks/destination.ts).
  if (webhook && !isAllowedDestination(webhook)) throw await appInputError({ webhook: `${E}webhook.private` });
  // A logout token travels to it as a webhook does: the same checks (issue 17).
  if (backchannelLogoutUri && !isAllowedDestination(backchannelLogoutUri))
    throw await appInputError({ backchannelLogoutUri: `${E}backchannelLogoutUri.private` });
  const { purposes, fieldPurposes } = await resolveFieldPurposes(parsed.data.purposes, parsed.data.fields);
  const clientSecret = newClientSecret();
  const webhookSecret = webhook ? newWebhookSecret() : null;
  try {
    const row = await prisma.$transaction(async (tx) => {
      const row = await tx.app.create({
        data: {
          name,
          description,
          clientId: `app_${randomBytes(12).toString('base64url')}`,
          clientSecretHash: sha256(clientSecret),
          purposes,
          fieldPurposes,
          scopes,
          webhookUrl: webhook ?? null,
          webhookSecret,
          rateLimitPerMinute,
          ...signInSettings(parsed.data),
        },
        select: appSelect,
      });
      await writeAudit(tx, actor, {
        action: 'app.create',
        objectId: row.clientId,
        details: { ...auditDetails(toRecord(row)), purposes, webhook: row.webhookUrl !== null },
      });
      return row;
    });
    return { app: toRecord(row), clientSecret, webhookSecret };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      throw await appInputError({ name: `${E}name.taken` }, { name });
    throw error;
  }
}

/**
 * Replaces an app's sign-in settings (every one: what is not given is cleared;
 * no redirect URI left, it is a client-credentials client only). The claims
 * must read fields the app declares. null for an unknown app.
 */
export async function updateAppSignIn(input: AppSignInInput, actor: AuditActor): Promise<AppRecord | null> {
  const parsed = AppSignInSchema.safeParse(input);
  if (!parsed.success) throw await appInputError(fieldErrorsFrom(parsed.error.issues));
  const app = await findApp(parsed.data.clientId);
  if (!app) return null;
  const issues = signInIssues(parsed.data, Object.keys(app.fieldPurposes));
  if (issues.length > 0)
    throw await appInputError(fieldErrorsFrom(issues.map(([path, message]) => ({ path: [path], message }))));
  const { backchannelLogoutUri } = parsed.data;
  if (backchannelLogoutUri && !isAllowedDestination(backchannelLogoutUri))
    throw await appInputError({ backchannelLogoutUri: `${E}backchannelLogoutUri.private` });
  const settings = signInSettings(parsed.data);
  const row = await prisma.$transaction(async (tx) => {
    await writeAudit(tx, actor, {
      action: 'app.sign-in.update',
      objectId: app.clientId,
      details: { ...auditDetails({ ...app, ...settings }), signIn: settings.redirectUris.length > 0 },
    });
    return tx.app.update({ where: { id: app.id }, data: settings, select: appSelect });
  });
  return toRecord(row);
}

export async function listApps(): Promise<AppRecord[]> {
  return (await prisma.app.findMany({ orderBy: { name: 'asc' }, select: appSelect })).map(toRecord);
}

/** By name or client id. */
export async function findApp(nameOrClientId: string): Promise<AppRecord | null> {
  const row = await prisma.app.findFirst({
    where: { OR: [{ name: nameOrClientId }, { clientId: nameOrClientId }] },
    select: appSelect,
  });
  return row ? toRecord(row) : null;
}

export async function getAppById(id: string): Promise<AppRecord | null> {
  const row = await prisma.app.findUnique({ where: { id }, select: appSelect });
  return row ? toRecord(row) : null;
}

/** A new client secret; every token issued before now stops working. */
export async function rotateClientSecret(
  nameOrClientId: string,
  actor: AuditActor,
): Promise<{ app: AppRecord; clientSecret: string } | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const clientSecret = newClientSecret();
  const row = await prisma.$transaction(async (tx) => {
    await writeAudit(tx, actor, { action: 'app.secret.rotate', objectId: app.clientId, details: auditDetails(app) });
    return tx.app.update({
      where: { id: app.id },
      data: { clientSecretHash: sha256(clientSecret), tokensValidAfter: new Date() },
      select: appSelect,
    });
  });
  return { app: toRecord(row), clientSecret };
}

/**
 * A new webhook secret. For `overlapHours` every webhook is signed with both the
 * new and the replaced secret (Standard Webhooks allows several signatures), so
 * the app can switch its verifier at its own pace; then only the new one signs.
 * 'no-webhook' for an app without a webhook.
 */
export async function rotateWebhookSecret(
  nameOrClientId: string,
  overlapHours: number,
  actor: AuditActor,
): Promise<{ app: AppRecord; webhookSecret: string; previousUntil: Date } | 'no-webhook' | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const webhookSecret = newWebhookSecret();
  const previousUntil = new Date(Date.now() + overlapHours * 60 * 60 * 1000);
  const rotated = await prisma.$transaction(async (tx) => {
    // One statement: the replaced secret is the one in the row, even if another rotation just ran.
    const count = await tx.$executeRaw`
      UPDATE apps SET webhook_secret_previous = webhook_secret, webhook_secret = ${webhookSecret},
        webhook_secret_previous_until = ${previousUntil}
      WHERE id = ${app.id}::uuid AND webhook_url IS NOT NULL AND webhook_secret IS NOT NULL`;
    if (count === 0) return false;
    await writeAudit(tx, actor, {
      action: 'app.webhook-secret.rotate',
      objectId: app.clientId,
      details: { ...auditDetails(app), overlapHours },
    });
    return true;
  });
  if (!rotated) return 'no-webhook';
  return { app: (await getAppById(app.id))!, webhookSecret, previousUntil };
}

/** A disabled app gets no token, its tokens stop working, its webhooks stop and its database role cannot log in. */
export async function setAppDisabled(
  nameOrClientId: string,
  disabled: boolean,
  actor: AuditActor,
): Promise<AppRecord | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const row = await prisma.$transaction(async (tx) => {
    await writeAudit(tx, actor, {
      action: disabled ? 'app.disable' : 'app.enable',
      objectId: app.clientId,
      details: auditDetails(app),
    });
    return tx.app.update({
      where: { id: app.id },
      data: disabled ? { disabledAt: new Date(), tokensValidAfter: new Date() } : { disabledAt: null },
      select: appSelect,
    });
  });
  return toRecord(row);
}

/**
 * The app of these client credentials, or null (unknown client, wrong secret,
 * disabled app: the caller answers all three alike). The comparison is of
 * SHA-256 digests, in constant time.
 */
/** The shape of the client ids we issue: nothing else reaches the database (a NUL byte would make it fail). */
export const isClientIdShape = (clientId: string) => CLIENT_ID_PATTERN.test(clientId);

export async function verifyClientCredentials(clientId: string, clientSecret: string): Promise<AppRecord | null> {
  if (!isClientIdShape(clientId) || clientSecret.length > 200 || clientSecret.includes('\0')) return null;
  const row = await prisma.app.findUnique({ where: { clientId }, select: { ...appSelect, clientSecretHash: true } });
  const expected = Buffer.from(row?.clientSecretHash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(sha256(clientSecret), 'hex');
  const match = timingSafeEqual(expected, given);
  if (!row || !match || row.disabledAt) return null;
  return toRecord({ ...row, clientSecretHash: undefined } as AppRow);
}

/** This app as a reader of the consent policy (server/consent/policy.ts). */
export function appReader(app: Pick<AppRecord, 'id' | 'clientId' | 'name' | 'fieldPurposes'>, reason?: string): Reader {
  return {
    accessor: { type: 'app', id: app.clientId, name: app.name },
    appId: app.id,
    fieldPurposes: app.fieldPurposes,
    reason,
  };
}
