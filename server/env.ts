import 'server-only';
import { z } from 'zod';

const DEV_AUTH_SECRET = 'development-only-secret-do-not-use-in-production-0000';

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.url({ error: 'DATABASE_URL must be a postgresql:// URL' }),
    AUTH_SECRET: z.string().min(32, { error: 'AUTH_SECRET must be at least 32 characters (openssl rand -base64 32)' }).optional(),
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
    // Serve /bench/* (the benchmark's baseline routes); off unless the bench sets it.
    BENCH_ROUTES: z.enum(['0', '1']).default('0'),
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

export type Env = z.output<typeof EnvSchema>;

let cached: Env | undefined;

/** The validated environment, read once. Throws a readable error listing every bad variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  cached = parsed.data;
  return cached;
}
