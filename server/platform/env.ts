import 'server-only';

import proxyaddr from 'proxy-addr';
import { z } from 'zod';

const DEV_AUTH_SECRET = 'development-only-secret-do-not-use-in-production-0000';

const secret = (name: string) =>
  z.string().min(32, { error: `${name} must be at least 32 characters (openssl rand -base64 32)` });

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    // Required by getEnv(); absent before the embedded database gave one (envIssues).
    DATABASE_URL: z.url({ error: 'DATABASE_URL must be a postgresql:// URL' }).optional(),
    // The owner role's URL, for the start-up scripts' migrations only (scripts/serve.ts keeps it from Next.js).
    MIGRATION_DATABASE_URL: z.url({ error: 'MIGRATION_DATABASE_URL must be a postgresql:// URL' }).optional(),
    AUTH_SECRET: secret('AUTH_SECRET').optional(),
    // The secret AUTH_SECRET replaces, still accepted for verification during a rotation.
    AUTH_SECRET_PREVIOUS: secret('AUTH_SECRET_PREVIOUS').optional(),
    // Keys the consent receipts' subject pseudonyms, which must outlive a rotation of AUTH_SECRET.
    PSEUDONYM_SECRET: secret('PSEUDONYM_SECRET').optional(),
    APP_URL: z.url().optional(),
    PORT: z.coerce.number().int().positive().default(3000),
    SMTP_URL: z
      .url({ error: 'SMTP_URL must be a URL such as smtp://user:password@smtp.example.com:587' })
      .refine((url) => /^smtps?:\/\//.test(url), {
        error: 'must start with smtp:// (STARTTLS when offered) or smtps:// (TLS from the first byte)',
      })
      .optional(),
    MAIL_FROM: z.string().default('Accord <no-reply@accord.localhost>'),
    // Each SMTP try (connect, greeting, each idle wait), inline in the request and in the worker;
    // then tries before a queued mail is given up (docs/decisions/027-mail-queue.md).
    MAIL_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5_000),
    MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(15),
    // Rate limits: points per window (docs/attack-protection.md lists them).
    RATE_LIMIT_SEND_PER_EMAIL: z.coerce.number().int().positive().default(5),
    RATE_LIMIT_SEND_PER_IP: z.coerce.number().int().positive().default(30),
    RATE_LIMIT_VERIFY_PER_EMAIL: z.coerce.number().int().positive().default(15),
    RATE_LIMIT_VERIFY_PER_IP: z.coerce.number().int().positive().default(60),
    // Code attempts per address without a success in 24 h (docs/decisions/025-guessing-budgets-and-passkey-assurance.md).
    RATE_LIMIT_CODE_FAILURES: z.coerce.number().int().positive().default(10),
    // Passkey assertions per IP and per passkey; token requests per client id and per IP; per 15 minutes.
    RATE_LIMIT_PASSKEY_PER_IP: z.coerce.number().int().positive().default(60),
    RATE_LIMIT_PASSKEY_PER_CREDENTIAL: z.coerce.number().int().positive().default(20),
    RATE_LIMIT_TOKEN_PER_CLIENT: z.coerce.number().int().positive().default(60),
    RATE_LIMIT_TOKEN_PER_IP: z.coerce.number().int().positive().default(300),
    // Peers whose X-Forwarded-For and X-Forwarded-Host are believed: addresses and CIDRs, comma-separated
    // (scripts/client-address.ts, docs/decisions/029-trusted-proxies.md). None by default.
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .refine(isProxyList, {
        error: 'must be IP addresses or CIDRs separated by commas, e.g. TRUSTED_PROXIES=10.0.0.0/8,fd00::/8',
      }),
    // The apps' API (docs/decisions/016-apps-tokens-and-the-consent-policy.md): access-token lifetime.
    API_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
    // Webhooks: tries before a delivery is dead-lettered; whether this process
    // runs the delivery worker (scripts/http-server.ts); per-try timeout.
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    WEBHOOK_WORKER: z.enum(['on', 'off']).default('on'),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    // Graceful stop (scripts/graceful-http-server.ts): how long readiness answers 503
    // while still serving (your load balancer's probe interval × failures), then the
    // longest wait for requests in flight.
    SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    // server/platform/log.ts (it reads it itself, before the rest may be valid).
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Bearer token of /api/metrics (server/platform/metrics.ts); unset: 404 in production.
    METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN: at least 16 characters (openssl rand -hex 32)').optional(),
    // Housekeeping in the worker (server/platform/housekeeping.ts; README, "Data retention").
    HOUSEKEEPING_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
    ACCESS_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(395),
    OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    // Webhooks to private, loopback, link-local or metadata addresses: refused in production unless 1
    // (docs/decisions/026-session-age-and-webhook-destinations.md).
    WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1']).optional(),
    // A session ends this long after its sign-in, however active (the 30-day expiry slides).
    SESSION_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(400).default(90),
    // Personalization (docs/decisions/035-personalization.md): how long a behaviour signal counts
    // before housekeeping deletes it; an operator's switch (false: generic content, no customer data
    // read); whether a second staff member approves each publication; the upload cap of content images;
    // signals an app may post per customer per minute.
    SIGNAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(395).default(90),
    PERSONALIZATION_ENABLED: z.enum(['true', 'false']).default('true'),
    CONTENT_APPROVAL: z.enum(['none', 'second-person']).default('none'),
    CONTENT_IMAGE_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(10_000)
      .max(20_000_000)
      .default(2 * 1024 * 1024),
    RATE_LIMIT_SIGNALS_PER_CUSTOMER: z.coerce.number().int().positive().default(60),
    // How a support agent is named in the customer's "who looked at my data" (a brand setting,
    // docs/decisions/036-support-console.md): their display name, or "Agent 4F2A".
    SUPPORT_AGENT_NAMES: z.enum(['display-name', 'pseudonym']).default('display-name'),
    // Account recovery through support (server/support/recovery.ts, docs/support.md): the two
    // independent proofs the brand asks for, and the hold before the change applies.
    SUPPORT_RECOVERY_PROOFS: z
      .string()
      .default('session-code,phone-code')
      .transform((value) => [...new Set(value.split(',').map((proof) => proof.trim()))])
      .refine((proofs) => proofs.length >= 1 && proofs.every((p) => p === 'session-code' || p === 'phone-code'), {
        error: 'SUPPORT_RECOVERY_PROOFS: one or both of session-code and phone-code, e.g. session-code,phone-code',
      }),
    SUPPORT_RECOVERY_HOLD_HOURS: z.coerce.number().int().min(1).max(720).default(24),
    // An HTTP gateway for SMS (server/support/sms.ts); unset, SMS go to the development mailbox.
    SMS_GATEWAY_URL: z.url({ error: 'SMS_GATEWAY_URL must be a URL such as https://sms.example.com/send' }).optional(),
  })
  .transform((env) => {
    const authSecret = env.AUTH_SECRET ?? DEV_AUTH_SECRET;
    return {
      ...env,
      DATABASE_URL: env.DATABASE_URL ?? '',
      production: env.NODE_ENV === 'production',
      /** Outside production, apps on this machine (loopback) receive webhooks as before. */
      WEBHOOK_ALLOW_PRIVATE: env.WEBHOOK_ALLOW_PRIVATE
        ? env.WEBHOOK_ALLOW_PRIVATE === '1'
        : env.NODE_ENV !== 'production',
      AUTH_SECRET: authSecret,
      /** Signing uses the first; verification accepts each (a rotation window). */
      AUTH_SECRETS: env.AUTH_SECRET_PREVIOUS ? [authSecret, env.AUTH_SECRET_PREVIOUS] : [authSecret],
      PSEUDONYM_SECRET: env.PSEUDONYM_SECRET ?? authSecret,
      APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
      PERSONALIZATION_ENABLED: env.PERSONALIZATION_ENABLED === 'true',
    };
  });

type ParsedEnv = z.output<typeof EnvSchema>;

function isProxyList(entries: string[]): boolean {
  try {
    proxyaddr.compile(entries);
    return true;
  } catch {
    return false;
  }
}

/**
 * What production refuses to start without, each naming the variable and what
 * to put there. docs/decisions/021-reference-data-and-production-defaults.md
 */
/** Same server and database, another user: the two roles of docs/deployment.md "Database roles". */
function databaseRoleIssues(env: ParsedEnv, startUp: boolean): string[] {
  const runtime = env.DATABASE_URL ? new URL(env.DATABASE_URL) : null;
  const owner = env.MIGRATION_DATABASE_URL ? new URL(env.MIGRATION_DATABASE_URL) : null;
  if (owner && !runtime) {
    return [
      "MIGRATION_DATABASE_URL: set without DATABASE_URL. Set both (the owner role and the app's role of one database), or neither for the embedded database",
    ];
  }
  if (owner && runtime && (owner.host !== runtime.host || owner.pathname !== runtime.pathname)) {
    return [
      `MIGRATION_DATABASE_URL: must name the database of DATABASE_URL (${runtime.host}${runtime.pathname}) as its owner role, got ${owner.host}${owner.pathname}`,
    ];
  }
  const sameUser = !owner || owner.username === runtime?.username;
  if (startUp && env.production && runtime && sameUser) {
    return [
      'MIGRATION_DATABASE_URL: required in production, with another user than DATABASE_URL: the migrations run as the role that owns the database, ' +
        'the app as a role that may not change audit rows. See docs/deployment.md, "Database roles"',
    ];
  }
  return [];
}

function safetyIssues(source: Record<string, string | undefined>, env: ParsedEnv, startUp: boolean): string[] {
  const issues: string[] = databaseRoleIssues(env, startUp);
  if (env.AUTH_SECRET_PREVIOUS && env.AUTH_SECRET_PREVIOUS === source.AUTH_SECRET) {
    issues.push(
      'AUTH_SECRET_PREVIOUS: is the same as AUTH_SECRET; set it to the secret AUTH_SECRET replaced, or unset it',
    );
  }
  if (source.TRUST_PROXY_HOPS !== undefined) {
    issues.push(
      'TRUST_PROXY_HOPS: replaced by TRUSTED_PROXIES, the addresses or CIDRs of the proxies in front of the app, e.g. TRUSTED_PROXIES=10.0.0.0/8; unset TRUST_PROXY_HOPS',
    );
  }
  if (env.AUTH_SECRET_PREVIOUS && !source.PSEUDONYM_SECRET) {
    issues.push(
      'PSEUDONYM_SECRET: required while AUTH_SECRET is rotated, so that consent receipts keep naming a customer by the same pseudonym. ' +
        'Set it to the value of AUTH_SECRET_PREVIOUS (or to the PSEUDONYM_SECRET of an earlier rotation) and keep it for good',
    );
  }
  if (!env.production) return issues;
  if (!source.AUTH_SECRET) {
    issues.push(
      'AUTH_SECRET: required in production. Set it to a random value of 32+ characters (openssl rand -base64 32), the same for every instance and the worker',
    );
  }
  if (!source.APP_URL) {
    issues.push(
      'APP_URL: required in production. Set it to the public address customers use, e.g. APP_URL=https://accounts.example.com (http:// only for localhost)',
    );
  } else {
    const url = new URL(source.APP_URL);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      issues.push(
        `APP_URL: must be an https:// address in production (http:// only for localhost), got "${source.APP_URL}"`,
      );
    } else if (url.pathname !== '/' || url.search || url.hash) {
      issues.push(
        `APP_URL: must be an origin without a path, e.g. https://accounts.example.com, got "${source.APP_URL}"`,
      );
    }
  }
  if (!source.SMTP_URL) {
    issues.push(
      'SMTP_URL: required in production (without it, mails and their sign-in codes are kept in the database for /dev/mailbox). ' +
        'Set it to your mail server, e.g. SMTP_URL=smtp://user:password@smtp.example.com:587',
    );
  }
  return issues;
}

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

export type Env = ParsedEnv & { oidcProviders: OidcProviderConfig[] };

/**
 * Every problem with the environment, one line each; [] when it is fine. The
 * start-up scripts call it before they open any database (scripts/check-env.ts),
 * when DATABASE_URL may still be unset (the embedded database), with `startUp`:
 * they migrate, so they also need the owner's MIGRATION_DATABASE_URL.
 */
export function envIssues(
  source: Record<string, string | undefined>,
  opts: { requireDatabaseUrl?: boolean; startUp?: boolean } = {},
): string[] {
  const parsed = EnvSchema.safeParse(source);
  const oidc = parseOidcProviders(source);
  return [
    ...(parsed.success
      ? safetyIssues(source, parsed.data, opts.startUp ?? false)
      : parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`)),
    ...(opts.requireDatabaseUrl !== false && !source.DATABASE_URL
      ? ['DATABASE_URL: not set (npm start and npm run dev set it to the embedded database when you do not)']
      : []),
    ...oidc.issues,
  ];
}

let cached: Env | undefined;

/** The validated environment, read once. Throws a readable error listing every bad variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const issues = envIssues(process.env);
  if (issues.length > 0) throw new Error(`Invalid environment:\n${issues.map((line) => `  - ${line}`).join('\n')}`);
  cached = { ...EnvSchema.parse(process.env), oidcProviders: parseOidcProviders(process.env).providers };
  return cached;
}
