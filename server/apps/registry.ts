import 'server-only';

import { randomBytes, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

import { SHARED_FIELDS, type FieldPurposes, type Reader, type SharedField } from '@/server/consent/policy';
import { Prisma } from '@/server/generated/prisma/client';
import { sha256 } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';

import { isPublicHost } from './webhooks/destination';

// The registry of the brand's other apps (`npm run apps`), their client
// credentials and what they declared they need.
// docs/decisions/016-apps-tokens-and-the-consent-policy.md

export const APP_SCOPES = ['customers:read', 'customers:write', 'preferences:write'] as const;
export type AppScope = (typeof APP_SCOPES)[number];

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
} as const;

type AppRow = Prisma.AppGetPayload<{ select: typeof appSelect }>;

function toRecord(row: AppRow): AppRecord {
  return { ...row, fieldPurposes: row.fieldPurposes as FieldPurposes, scopes: row.scopes as AppScope[] };
}

const listOf = (value: string | string[]) =>
  (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const RESERVED_NAMES = ['portal', 'seed', 'support', 'staff', 'system', 'accord'];

export const AppInputSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,39}$/, {
      error: 'name: 2 to 40 lower-case letters, digits and dashes, starting with a letter',
    })
    // The name is the channel of the app's writes in the customer's history: not one of ours.
    .refine((name) => !RESERVED_NAMES.includes(name), {
      error: 'name: portal, seed, support, staff, system and accord are reserved',
    }),
  description: z.string().trim().max(500).default(''),
  purposes: z
    .union([z.string(), z.array(z.string())])
    .transform(listOf)
    .pipe(z.array(z.string().max(64)).min(1, { error: 'purposes: at least one' })),
  /** Each "field" (used for every declared purpose) or "field:purpose". */
  fields: z
    .union([z.string(), z.array(z.string())])
    .transform(listOf)
    .pipe(z.array(z.string().max(100)).min(1, { error: 'fields: at least one' })),
  scopes: z
    .union([z.string(), z.array(z.string())])
    .transform(listOf)
    .pipe(z.array(z.enum(APP_SCOPES, { error: `scopes: one of ${APP_SCOPES.join(', ')}` })))
    .default(['customers:read']),
  webhook: z
    .url({ protocol: /^https?$/, error: 'webhook: an http(s) URL' })
    .max(500)
    // Customer data travels in it: https, but for an app on this very machine.
    .refine((url) => url.startsWith('https://') || LOOPBACK.has(new URL(url).hostname), {
      error: 'webhook: an https URL (http only for localhost, 127.0.0.1 or [::1])',
    })
    // Checked again on the resolved address at each send (server/apps/webhooks/destination.ts).
    .refine((url) => getEnv().WEBHOOK_ALLOW_PRIVATE || isPublicHost(new URL(url).hostname), {
      error:
        'webhook: a private, loopback, link-local or metadata address is refused (set WEBHOOK_ALLOW_PRIVATE=1 to allow it)',
    })
    .optional(),
  rateLimitPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(600),
});
export type AppInput = z.input<typeof AppInputSchema>;

export type CreatedApp = { app: AppRecord; clientSecret: string; webhookSecret: string | null };

export class AppInputError extends Error {}

/** Resolves the declaration against the purposes in the database: {"field": ["purpose", …]}. */
async function resolveFieldPurposes(
  purposes: string[],
  fields: string[],
): Promise<{ purposes: string[]; fieldPurposes: FieldPurposes }> {
  const resolved = [...new Set(purposes.map((p) => PURPOSE_ALIASES[p] ?? p))];
  const known = new Set((await prisma.consentPurpose.findMany({ select: { key: true } })).map((p) => p.key));
  const unknown = resolved.filter((p) => !known.has(p));
  if (unknown.length > 0)
    throw new AppInputError(`unknown purpose ${unknown.join(', ')} (known: service, ${[...known].join(', ')})`);
  const fieldPurposes: FieldPurposes = {};
  for (const entry of fields) {
    const [field, purpose] = entry.split(':') as [string, string | undefined];
    if (!(SHARED_FIELDS as readonly string[]).includes(field))
      throw new AppInputError(`unknown field ${field} (known: ${SHARED_FIELDS.join(', ')})`);
    const forPurposes = purpose === undefined ? resolved : [PURPOSE_ALIASES[purpose] ?? purpose];
    for (const p of forPurposes)
      if (!resolved.includes(p)) throw new AppInputError(`field ${field}: purpose ${p} is not one the app declared`);
    fieldPurposes[field as SharedField] = [
      ...new Set([...(fieldPurposes[field as SharedField] ?? []), ...forPurposes]),
    ];
  }
  return { purposes: resolved, fieldPurposes };
}

const newClientSecret = () => `cs_${randomBytes(32).toString('base64url')}`;
/** A Standard Webhooks signing key: "whsec_" and base64 of 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Registers an app; the secrets are returned once and only the client secret's hash is kept. */
export async function createApp(input: AppInput): Promise<CreatedApp> {
  const parsed = AppInputSchema.safeParse(input);
  if (!parsed.success) throw new AppInputError(parsed.error.issues.map((i) => i.message).join('; '));
  const { name, description, scopes, webhook, rateLimitPerMinute } = parsed.data;
  const { purposes, fieldPurposes } = await resolveFieldPurposes(parsed.data.purposes, parsed.data.fields);
  const clientSecret = newClientSecret();
  const webhookSecret = webhook ? newWebhookSecret() : null;
  try {
    const row = await prisma.app.create({
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
      },
      select: appSelect,
    });
    return { app: toRecord(row), clientSecret, webhookSecret };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      throw new AppInputError(`an app named ${name} exists`);
    throw error;
  }
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
): Promise<{ app: AppRecord; clientSecret: string } | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const clientSecret = newClientSecret();
  const row = await prisma.app.update({
    where: { id: app.id },
    data: { clientSecretHash: sha256(clientSecret), tokensValidAfter: new Date() },
    select: appSelect,
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
): Promise<{ app: AppRecord; webhookSecret: string; previousUntil: Date } | 'no-webhook' | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const webhookSecret = newWebhookSecret();
  const previousUntil = new Date(Date.now() + overlapHours * 60 * 60 * 1000);
  // One statement: the replaced secret is the one in the row, even if another rotation just ran.
  const count = await prisma.$executeRaw`
    UPDATE apps SET webhook_secret_previous = webhook_secret, webhook_secret = ${webhookSecret},
      webhook_secret_previous_until = ${previousUntil}
    WHERE id = ${app.id}::uuid AND webhook_url IS NOT NULL AND webhook_secret IS NOT NULL`;
  if (count === 0) return 'no-webhook';
  return { app: (await getAppById(app.id))!, webhookSecret, previousUntil };
}

/** A disabled app gets no token, its tokens stop working, its webhooks stop and its database role cannot log in. */
export async function setAppDisabled(nameOrClientId: string, disabled: boolean): Promise<AppRecord | null> {
  const app = await findApp(nameOrClientId);
  if (!app) return null;
  const row = await prisma.app.update({
    where: { id: app.id },
    data: disabled ? { disabledAt: new Date(), tokensValidAfter: new Date() } : { disabledAt: null },
    select: appSelect,
  });
  return toRecord(row);
}

/**
 * The app of these client credentials, or null (unknown client, wrong secret,
 * disabled app: the caller answers all three alike). The comparison is of
 * SHA-256 digests, in constant time.
 */
/** The shape of the client ids we issue: nothing else reaches the database (a NUL byte would make it fail). */
export const isClientIdShape = (clientId: string) => /^app_[A-Za-z0-9_-]{16}$/.test(clientId);

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
