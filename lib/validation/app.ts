// zod/mini: the console's new-app form runs it in the browser (docs/decisions/009-zod-mini-on-customer-pages.md);
// `npm run apps -- create` and server/apps/registry.ts createApp run it again.
// Errors are message keys (messages/*.json, console.apps.errors): the form
// shows them in the member's language, the CLI in English.
import * as z from 'zod/mini';

export const APP_SCOPES = [
  'customers:read',
  'customers:write',
  'preferences:write',
  'signals:write',
  'content:read',
] as const;
export type AppScope = (typeof APP_SCOPES)[number];

export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;
export const APP_DESCRIPTION_MAX_LENGTH = 500;
export const APP_WEBHOOK_MAX_LENGTH = 500;

// The name is the channel of the app's writes in the customer's history: not one of ours.
const RESERVED_NAMES = ['portal', 'seed', 'support', 'staff', 'system', 'accord'];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const E = 'console.apps.errors.';

const listOf = (value: string | string[]) =>
  (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean);

const list = (itemMax: number, error: string) =>
  z.pipe(
    z.pipe(z.union([z.string(), z.array(z.string())], { error }), z.transform(listOf)),
    z.array(z.string().check(z.maxLength(itemMax, { error })), { error }),
  );

function parsedUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

export const AppInputSchema = z.strictObject({
  name: z.string({ error: `${E}name.invalid` }).check(
    z.regex(APP_NAME_PATTERN, { error: `${E}name.invalid` }),
    z.refine((name) => !RESERVED_NAMES.includes(name), { error: `${E}name.reserved` }),
  ),
  description: z._default(
    z.string({ error: `${E}description.invalid` }).check(
      z.trim(),
      z.maxLength(APP_DESCRIPTION_MAX_LENGTH, { error: `${E}description.tooLong` }),
      // Shown to staff as text; markup or control characters in it are a mistake or a probe.
      z.refine((v) => !/[<>\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(v), {
        error: `${E}description.invalid`,
      }),
    ),
    '',
  ),
  purposes: list(64, `${E}purposes.invalid`).check(z.minLength(1, { error: `${E}purposes.required` })),
  /** Each "field" (used for every declared purpose) or "field:purpose". */
  fields: list(100, `${E}fields.invalid`).check(z.minLength(1, { error: `${E}fields.required` })),
  scopes: z._default(
    z.pipe(
      z.pipe(z.union([z.string(), z.array(z.string())], { error: `${E}scopes.invalid` }), z.transform(listOf)),
      z.array(z.enum(APP_SCOPES, { error: `${E}scopes.invalid` })),
    ),
    ['customers:read'],
  ),
  webhook: z.optional(
    z.string({ error: `${E}webhook.invalid` }).check(
      z.maxLength(APP_WEBHOOK_MAX_LENGTH, { error: `${E}webhook.tooLong` }),
      z.refine((url) => /^https?:$/.test(parsedUrl(url)?.protocol ?? ''), { error: `${E}webhook.invalid` }),
      // Customer data travels in it: https, but for an app on this very machine.
      z.refine((url) => url.startsWith('https://') || LOOPBACK.has(parsedUrl(url)?.hostname ?? ''), {
        error: `${E}webhook.https`,
      }),
    ),
  ),
  rateLimitPerMinute: z._default(
    z.coerce
      .number({ error: `${E}rateLimit.invalid` })
      .check(
        z.int({ error: `${E}rateLimit.invalid` }),
        z.minimum(1, { error: `${E}rateLimit.invalid` }),
        z.maximum(1_000_000, { error: `${E}rateLimit.invalid` }),
      ),
    600,
  ),
});
export type AppInput = z.input<typeof AppInputSchema>;
export type AppInputFields = keyof AppInput;

/** The client ids server/apps/registry.ts issues: the console addresses apps by them. */
export const CLIENT_ID_PATTERN = /^app_[A-Za-z0-9_-]{16}$/;

const ClientIdSchema = z.string({ error: `${E}notFound` }).check(z.regex(CLIENT_ID_PATTERN, { error: `${E}notFound` }));

/** The console's buttons on one app (rotate, grant-db…). */
export const AppRefSchema = z.strictObject({ clientId: ClientIdSchema });

export const SetAppDisabledSchema = z.strictObject({ clientId: ClientIdSchema, disabled: z.boolean() });

/** Some deliveries by id, or (no ids) every dead one. */
export const RedriveSchema = z.strictObject({
  clientId: ClientIdSchema,
  ids: z.optional(z.array(z.string().check(z.regex(/^\d{1,18}$/, { error: `${E}notFound` }))).check(z.maxLength(100))),
});
