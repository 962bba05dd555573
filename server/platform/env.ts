import 'server-only';

import { z } from 'zod';

const DEV_AUTH_SECRET = 'development-only-secret-do-not-use-in-production-0000';

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.url({ error: 'DATABASE_URL must be a postgresql:// URL' }),
    AUTH_SECRET: z
      .string()
      .min(32, { error: 'AUTH_SECRET must be at least 32 characters (openssl rand -base64 32)' })
      .optional(),
    APP_URL: z.url().optional(),
    PORT: z.coerce.number().int().positive().default(3000),
    SMTP_URL: z.url().optional(),
    MAIL_FROM: z.string().default('Accord <no-reply@accord.localhost>'),
    // Rate limits: points per window (docs/attack-protection.md lists them).
    RATE_LIMIT_SEND_PER_EMAIL: z.coerce.number().int().positive().default(5),
    RATE_LIMIT_SEND_PER_IP: z.coerce.number().int().positive().default(30),
    RATE_LIMIT_VERIFY_PER_EMAIL: z.coerce.number().int().positive().default(15),
    RATE_LIMIT_VERIFY_PER_IP: z.coerce.number().int().positive().default(60),
    // Proxies in front of the app that append to X-Forwarded-For (scripts/http-server.ts).
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    // The apps' API (docs/decisions/016-apps-tokens-and-the-consent-policy.md): access-token lifetime.
    API_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
    // Webhooks: tries before a delivery is dead-lettered; whether this process
    // runs the delivery worker (scripts/http-server.ts); per-try timeout.
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    WEBHOOK_WORKER: z.enum(['on', 'off']).default('on'),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  })
  .transform((env) => {
    const production = env.NODE_ENV === 'production';
    if (production && !env.AUTH_SECRET) {
      throw new Error('AUTH_SECRET is required in production (openssl rand -base64 32)');
    }
    return {
      ...env,
      production,
      AUTH_SECRET: env.AUTH_SECRET ?? DEV_AUTH_SECRET,
      APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    };
  });

/** A third-party OpenID Connect provider, from AUTH_OIDC_<ID>_* (README, "Third-party sign-in"). */
export type OidcProviderConfig = {
  /** Auth.js provider id: the <ID> lower-cased; the callback is /api/auth/callback/<id>. */
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
};

const OIDC_VARIABLE = /^AUTH_OIDC_(.+)_(ISSUER|CLIENT_ID|CLIENT_SECRET|NAME)$/;
const OIDC_FIELDS = { ISSUER: 'issuer', CLIENT_ID: 'clientId', CLIENT_SECRET: 'clientSecret', NAME: 'name' } as const;
// The id ends up in the sessions' auth_method column as "oidc:<id>" (32 characters).
const OIDC_ID = /^[A-Z][A-Z0-9]{0,26}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Every provider configured by AUTH_OIDC_<ID>_ISSUER, _CLIENT_ID, _CLIENT_SECRET
 * and _NAME, any number of them. A provider missing one of the four is an error.
 */
export function parseOidcProviders(source: Record<string, string | undefined>): {
  providers: OidcProviderConfig[];
  issues: string[];
} {
  const found = new Map<string, Partial<Record<(typeof OIDC_FIELDS)[keyof typeof OIDC_FIELDS], string>>>();
  for (const [key, raw] of Object.entries(source)) {
    const match = OIDC_VARIABLE.exec(key);
    const value = raw?.trim();
    if (!match || !value) continue;
    const [, id, suffix] = match as unknown as [string, string, keyof typeof OIDC_FIELDS];
    found.set(id, { ...found.get(id), [OIDC_FIELDS[suffix]]: value });
  }
  const providers: OidcProviderConfig[] = [];
  const issues: string[] = [];
  for (const [id, fields] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    if (!OIDC_ID.test(id)) {
      issues.push(
        `AUTH_OIDC_${id}_*: the provider id "${id}" must be 1 to 27 capital letters and digits, starting with a letter (e.g. AUTH_OIDC_GOOGLE_ISSUER)`,
      );
      continue;
    }
    const missing = (Object.keys(OIDC_FIELDS) as Array<keyof typeof OIDC_FIELDS>).filter(
      (suffix) => !fields[OIDC_FIELDS[suffix]],
    );
    if (missing.length > 0) {
      issues.push(
        `AUTH_OIDC_${id}_*: the provider is half-configured, set ${missing.map((s) => `AUTH_OIDC_${id}_${s}`).join(', ')} too (or remove its other AUTH_OIDC_${id}_ variables)`,
      );
      continue;
    }
    const issuer = issuerUrl(fields.issuer!);
    if (!issuer) {
      issues.push(
        `AUTH_OIDC_${id}_ISSUER: must be an https:// URL (http:// only on localhost), got "${fields.issuer}"`,
      );
      continue;
    }
    providers.push({
      id: id.toLowerCase(),
      name: fields.name!,
      issuer,
      clientId: fields.clientId!,
      clientSecret: fields.clientSecret!,
    });
  }
  return { providers, issues };
}

function issuerUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  // The issuer is compared as a string with the discovery document's: keep it as written.
  return secure && !url.search && !url.hash ? value : null;
}

export type Env = z.output<typeof EnvSchema> & { oidcProviders: OidcProviderConfig[] };

let cached: Env | undefined;

/** The validated environment, read once. Throws a readable error listing every bad variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  const oidc = parseOidcProviders(process.env);
  if (!parsed.success || oidc.issues.length > 0) {
    const lines = [
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`)),
      ...oidc.issues,
    ].map((line) => `  - ${line}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  cached = { ...parsed.data, oidcProviders: oidc.providers };
  return cached;
}
