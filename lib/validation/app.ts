// zod/mini: the console's new-app form runs it in the browser (docs/decisions/009-zod-mini-on-customer-pages.md);
// `npm run apps -- create` and server/apps/registry.ts createApp run it again.
// Errors are message keys (messages/*.json, console.apps.errors): the form
// shows them in the member's language, the CLI in English.
import * as z from 'zod/mini';

import { CLAIM_FIELDS, OIDC_CLAIMS, OIDC_SCOPES, SCOPE_CLAIMS, type OidcClaim } from '@/lib/oidc/claims';

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
export const APP_REDIRECT_URIS_MAX = 10;
export const APP_CLIENT_TYPES = ['confidential', 'public'] as const;
export type AppClientType = (typeof APP_CLIENT_TYPES)[number];

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

/** An address customer data travels to: https, but for an app on this very machine. */
const isHttpsOrLoopback = (url: string) =>
  url.startsWith('https://') || (url.startsWith('http://') && LOOPBACK.has(parsedUrl(url)?.hostname ?? ''));

/**
 * Where the provider may send the browser back with a code or after sign-out:
 * exact strings (OAuth 2.0 Security BCP §4.1.3), https or loopback, without a
 * fragment (RFC 6749 §3.1.2) or credentials.
 */
const redirectUris = (key: string) =>
  z._default(
    list(APP_WEBHOOK_MAX_LENGTH, `${E}${key}.invalid`).check(
      z.maxLength(APP_REDIRECT_URIS_MAX, { error: `${E}${key}.tooMany` }),
      z.refine((uris) => uris.every((uri) => /^https?:$/.test(parsedUrl(uri)?.protocol ?? '')), {
        error: `${E}${key}.invalid`,
      }),
      z.refine((uris) => uris.every(isHttpsOrLoopback), { error: `${E}${key}.https` }),
      z.refine(
        (uris) =>
          uris.every((uri) => {
            const url = parsedUrl(uri);
            // Not a URL at all is said by the first check.
            return !url || (!uri.includes('#') && !url.username && !url.password);
          }),
        { error: `${E}${key}.fragment` },
      ),
    ),
    [],
  );

const claimList = (key: string) =>
  z._default(
    z.pipe(
      z.pipe(z.union([z.string(), z.array(z.string())], { error: `${E}${key}.invalid` }), z.transform(listOf)),
      z.array(z.enum(OIDC_CLAIMS as [OidcClaim, ...OidcClaim[]], { error: `${E}${key}.invalid` })),
    ),
    [],
  );

/** The scope that carries each claim (OpenID Connect Core §5.4). */
const CLAIM_SCOPE = Object.fromEntries(
  Object.entries(SCOPE_CLAIMS).flatMap(([scope, claims]) => claims.map((claim) => [claim, scope])),
) as Record<OidcClaim, string>;

/** Sign-in with Accord (docs/api.md): an app with a redirect URI is an OpenID client. */
const SIGN_IN_SHAPE = {
  redirectUris: redirectUris('redirectUris'),
  postLogoutRedirectUris: redirectUris('postLogoutRedirectUris'),
  clientType: z._default(z.enum(APP_CLIENT_TYPES, { error: `${E}clientType.invalid` }), 'confidential'),
  oidcScopes: z._default(
    z.pipe(
      z.pipe(z.union([z.string(), z.array(z.string())], { error: `${E}oidcScopes.invalid` }), z.transform(listOf)),
      z.array(z.enum(OIDC_SCOPES, { error: `${E}oidcScopes.invalid` })),
    ),
    [],
  ),
  requiredClaims: claimList('requiredClaims'),
  optionalClaims: claimList('optionalClaims'),
  backchannelLogoutUri: z.optional(
    z.string({ error: `${E}backchannelLogoutUri.invalid` }).check(
      z.maxLength(APP_WEBHOOK_MAX_LENGTH, { error: `${E}backchannelLogoutUri.tooLong` }),
      z.refine((url) => /^https?:$/.test(parsedUrl(url)?.protocol ?? '') && !url.includes('#'), {
        error: `${E}backchannelLogoutUri.invalid`,
      }),
      z.refine(isHttpsOrLoopback, { error: `${E}backchannelLogoutUri.https` }),
    ),
  ),
};

type SignIn = z.output<z.ZodMiniObject<typeof SIGN_IN_SHAPE>>;

/**
 * The rules between the sign-in settings, and with the fields the app declares
 * (each "field" or "field:purpose"): [field, message key] of each broken one.
 */
export function signInIssues(app: SignIn, declaredFields: readonly string[]): Array<[string, string]> {
  const issues: Array<[string, string]> = [];
  const issue = (path: string, key: string) => issues.push([path, `${E}${key}`]);
  const isClient = app.redirectUris.length > 0;
  if (!isClient) {
    // Sign-in settings of an app that cannot sign anyone in are a mistake, not a default.
    if (app.postLogoutRedirectUris.length > 0) issue('postLogoutRedirectUris', 'redirectUris.required');
    if (app.oidcScopes.length > 0) issue('oidcScopes', 'redirectUris.required');
    if (app.backchannelLogoutUri) issue('backchannelLogoutUri', 'redirectUris.required');
    if (app.requiredClaims.length + app.optionalClaims.length > 0) issue('requiredClaims', 'redirectUris.required');
    return issues;
  }
  if (!app.oidcScopes.includes('openid')) issue('oidcScopes', 'oidcScopes.openid');
  if (app.requiredClaims.some((claim) => app.optionalClaims.includes(claim)))
    issue('optionalClaims', 'optionalClaims.both');
  const fields = new Set(declaredFields.map((entry) => entry.split(':')[0]));
  for (const key of ['requiredClaims', 'optionalClaims'] as const) {
    const claims = app[key];
    // A claim is the value of a shared field (lib/oidc/claims.ts): the app must declare why it reads it.
    if (claims.some((claim) => !fields.has(CLAIM_FIELDS[claim]))) issue(key, `${key}.undeclared`);
    else if (claims.some((claim) => !(app.oidcScopes as string[]).includes(CLAIM_SCOPE[claim])))
      issue(key, `${key}.scope`);
  }
  return issues;
}

const signInRefinement = (declaredFields: (app: SignIn) => readonly string[]) =>
  z.superRefine<SignIn>((app, ctx) => {
    for (const [path, message] of signInIssues(app, declaredFields(app)))
      ctx.issues.push({ code: 'custom', path: [path], message, input: app });
  });

export const AppInputSchema = z
  .strictObject({
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
    ...SIGN_IN_SHAPE,
  })
  .check(signInRefinement((app) => (app as SignIn & { fields: string[] }).fields));
export type AppInput = z.input<typeof AppInputSchema>;
export type AppInputFields = keyof AppInput;

/** The client ids server/apps/registry.ts issues: the console addresses apps by them. */
export const CLIENT_ID_PATTERN = /^app_[A-Za-z0-9_-]{16}$/;

const ClientIdSchema = z.string({ error: `${E}notFound` }).check(z.regex(CLIENT_ID_PATTERN, { error: `${E}notFound` }));

/**
 * A change of an app's sign-in settings (the console's app page, `npm run apps -- set-sign-in`).
 * The claims' fields are checked against the app's declaration by server/apps/registry.ts.
 */
export const AppSignInSchema = z
  .strictObject({ clientId: ClientIdSchema, ...SIGN_IN_SHAPE })
  .check(signInRefinement(() => Object.values(CLAIM_FIELDS)));
export type AppSignInInput = z.input<typeof AppSignInSchema>;
export type AppSignIn = z.output<typeof AppSignInSchema>;

/** The console's buttons on one app (rotate, grant-db…). */
export const AppRefSchema = z.strictObject({ clientId: ClientIdSchema });

export const SetAppDisabledSchema = z.strictObject({ clientId: ClientIdSchema, disabled: z.boolean() });

/** Some deliveries by id, or (no ids) every dead one. */
export const RedriveSchema = z.strictObject({
  clientId: ClientIdSchema,
  ids: z.optional(z.array(z.string().check(z.regex(/^\d{1,18}$/, { error: `${E}notFound` }))).check(z.maxLength(100))),
});
