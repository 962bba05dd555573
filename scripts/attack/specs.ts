// What the fuzz sends to each route handler and server action. Every
// app/**/route.ts method and every server action of the build must have an
// entry here: the run fails on one that has none, so new code is covered.
import fc from 'fast-check';

import {
  junkBody,
  junkContentType,
  junkHeaderValue,
  junkJson,
  junkObject,
  junkQuery,
  junkSegment,
  junkString,
} from './inputs';

export type Fixture = {
  /** A customer's id that the fuzz's app may read. */
  customerId: string;
  /** `Bearer <token>` of an app with every scope. */
  appAuthorization: string;
  /** `Basic …` of that app's client id and secret. */
  appBasic: string;
  /** That app's client id: it is also an OpenID client of the provider, redirecting to `redirectUri` only. */
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
};

export type Probe = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Send the signed-in customer's cookies. */
  session: boolean;
};

export type RouteSpec = {
  /** Errors are RFC 9457 problem details (the apps' API). */
  problemJson?: boolean;
  /** Errors are OAuth 2.0 JSON errors ({"error": …}, RFC 6749 §5.2, RFC 7009, RFC 7662, RFC 6750). */
  oauthJson?: boolean;
  /** Why rows may be written by this route on any input (beyond writes.ts EXPECTED_WRITES). */
  writes?: string;
  methods: Record<string, (f: Fixture) => fc.Arbitrary<Probe>>;
};

const authHeader = (f: Fixture) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(f.appAuthorization) },
    { weight: 1, arbitrary: junkHeaderValue.map((v) => `Bearer ${v}`) },
    { weight: 1, arbitrary: junkHeaderValue },
  );

const idSegment = (f: Fixture) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(f.customerId) }, { weight: 3, arbitrary: junkSegment });

function probe(
  method: string,
  path: fc.Arbitrary<string>,
  opts: {
    headers?: fc.Arbitrary<Record<string, string>>;
    body?: boolean;
    session?: boolean;
  } = {},
): fc.Arbitrary<Probe> {
  return fc
    .record({
      path,
      headers: opts.headers ?? fc.constant({}),
      contentType: junkContentType,
      body: opts.body ? junkBody : fc.constant(undefined),
      session: fc.boolean().map((b) => (opts.session ?? true) && b),
    })
    .map(({ path, headers, contentType, body, session }) => ({
      method,
      path,
      headers: body === undefined ? headers : { 'content-type': contentType, ...headers },
      body,
      session,
    }));
}

const sessionOnly = (path: fc.Arbitrary<string>) => (method: string) => () =>
  probe(method, path, { headers: fc.record({ accept: junkHeaderValue }, { requiredKeys: [] }) });

/** Keyed by the route file; the method names are the exports the file must have. */
export const ROUTES: Record<string, RouteSpec> = {
  'app/account/privacy/export/route.ts': {
    methods: { GET: sessionOnly(junkQuery.map((q) => `/account/privacy/export${q}`))('GET') },
  },
  'app/account/privacy/receipts/[id]/route.ts': {
    methods: { GET: sessionOnly(junkSegment.map((id) => `/account/privacy/receipts/${id}`))('GET') },
  },
  'app/api/oauth/token/route.ts': {
    problemJson: true,
    methods: {
      POST: (f) =>
        probe('POST', fc.constant('/api/oauth/token'), {
          body: true,
          session: false,
          headers: fc.record(
            {
              authorization: fc.oneof(
                fc.constant(f.appBasic),
                junkHeaderValue.map((v) => `Basic ${v}`),
                junkHeaderValue.map((v) => `Basic ${Buffer.from(v).toString('base64')}`),
              ),
            },
            { requiredKeys: [] },
          ),
        }),
    },
  },
  'app/api/v1/customers/route.ts': {
    problemJson: true,
    methods: {
      GET: (f) =>
        probe(
          'GET',
          junkQuery.map((q) => `/api/v1/customers${q}`),
          {
            headers: fc.record({ authorization: authHeader(f) }),
          },
        ),
    },
  },
  'app/api/v1/customers/[id]/route.ts': {
    problemJson: true,
    methods: {
      GET: (f) =>
        probe(
          'GET',
          idSegment(f).map((id) => `/api/v1/customers/${id}`),
          {
            headers: fc.record({ authorization: authHeader(f) }),
          },
        ),
      PATCH: (f) =>
        fc
          .tuple(
            probe(
              'PATCH',
              idSegment(f).map((id) => `/api/v1/customers/${id}`),
              {
                body: true,
                headers: fc.record(
                  {
                    authorization: authHeader(f),
                    'if-match': fc.oneof(junkHeaderValue, fc.constantFrom('"1"', '*', 'W/"1"')),
                  },
                  { requiredKeys: ['authorization'] },
                ),
              },
            ),
            // A well-formed JSON object with the patch's fields, each wrong: reaches the validation.
            junkObject(['name', 'email', 'phone', 'postalAddress', 'locale', 'givenName', 'familyName']),
            fc.boolean(),
          )
          .map(([p, fields, useFields]) =>
            useFields
              ? {
                  ...p,
                  headers: { ...p.headers, 'content-type': 'application/merge-patch+json' },
                  body: JSON.stringify(fields),
                }
              : p,
          ),
    },
  },
  'app/api/v1/customers/[id]/consents/route.ts': {
    problemJson: true,
    methods: {
      GET: (f) =>
        probe(
          'GET',
          idSegment(f).map((id) => `/api/v1/customers/${id}/consents`),
          {
            headers: fc.record({ authorization: authHeader(f) }),
          },
        ),
    },
  },
  'app/api/v1/customers/[id]/preferences/route.ts': {
    problemJson: true,
    methods: {
      GET: (f) =>
        probe(
          'GET',
          idSegment(f).map((id) => `/api/v1/customers/${id}/preferences`),
          {
            headers: fc.record({ authorization: authHeader(f) }),
          },
        ),
      PUT: (f) =>
        fc
          .tuple(
            probe(
              'PUT',
              idSegment(f).map((id) => `/api/v1/customers/${id}/preferences`),
              {
                body: true,
                headers: fc.record(
                  {
                    authorization: authHeader(f),
                    'if-match': fc.oneof(junkHeaderValue, fc.constantFrom('"0"', '*', 'W/"0"')),
                    'idempotency-key': junkHeaderValue,
                  },
                  { requiredKeys: ['authorization'] },
                ),
              },
            ),
            // A well-formed object with the replacement's members, each wrong: reaches the validation.
            junkObject(['interests', 'favouriteStore', 'sizes', 'channels']),
            fc.boolean(),
          )
          .map(([p, fields, useFields]) =>
            useFields
              ? { ...p, headers: { ...p.headers, 'content-type': 'application/json' }, body: JSON.stringify(fields) }
              : p,
          ),
    },
  },
  'app/api/v1/customers/[id]/signals/route.ts': {
    problemJson: true,
    methods: {
      POST: (f) =>
        fc
          .tuple(
            probe(
              'POST',
              idSegment(f).map((id) => `/api/v1/customers/${id}/signals`),
              {
                body: true,
                headers: fc.record(
                  { authorization: authHeader(f), 'idempotency-key': junkHeaderValue },
                  { requiredKeys: ['authorization'] },
                ),
              },
            ),
            junkObject(['type', 'category', 'item', 'occurredAt']),
            fc.boolean(),
          )
          .map(([p, fields, useFields]) =>
            useFields
              ? { ...p, headers: { ...p.headers, 'content-type': 'application/json' }, body: JSON.stringify(fields) }
              : p,
          ),
    },
  },
  'app/api/v1/openapi.json/route.ts': {
    problemJson: true,
    methods: { GET: sessionOnly(junkQuery.map((q) => `/api/v1/openapi.json${q}`))('GET') },
  },
  'app/api/auth/[...nextauth]/route.ts': {
    methods: {
      GET: () =>
        probe(
          'GET',
          fc
            .tuple(
              fc.constantFrom(
                'session',
                'csrf',
                'providers',
                'signin',
                'signout',
                'callback',
                'error',
                'verify-request',
                'webauthn-options',
              ),
              fc.array(junkSegment, { maxLength: 2 }),
              junkQuery,
            )
            .map(([action, rest, q]) => `/api/auth/${[action, ...rest].join('/')}${q}`),
        ),
      POST: () =>
        probe(
          'POST',
          fc
            .tuple(
              fc.constantFrom('signin', 'signout', 'callback', 'session'),
              fc.array(junkSegment, { maxLength: 2 }),
              junkQuery,
            )
            .map(([action, rest, q]) => `/api/auth/${[action, ...rest].join('/')}${q}`),
          { body: true },
        ),
    },
  },
  'app/api/health/route.ts': { methods: { GET: sessionOnly(junkQuery.map((q) => `/api/health${q}`))('GET') } },
  'app/api/health/ready/route.ts': {
    methods: { GET: sessionOnly(junkQuery.map((q) => `/api/health/ready${q}`))('GET') },
  },
  'app/api/health/live/route.ts': {
    methods: { GET: sessionOnly(junkQuery.map((q) => `/api/health/live${q}`))('GET') },
  },
  // The fuzz's member holds every role: any query whose filters are valid (unknown keys are
  // ignored, an empty query is "everything") is an export, audited in its own row.
  'app/console/(signed-in)/audit/export/route.ts': {
    writes: 'a query with valid filters is an export of the audit trail, audited as audit.export',
    methods: { GET: sessionOnly(junkQuery.map((q) => `/console/audit/export${q}`))('GET') },
  },
  // Junk ids are a 400 before anything is read or written; a customer's id is an export, audited.
  'app/console/(signed-in)/audit/customer/export/route.ts': {
    writes: "a valid customer id is an export of the customer's staff access, audited as audit.customer-access",
    methods: { GET: sessionOnly(junkQuery.map((q) => `/console/audit/customer/export${q}`))('GET') },
  },
  'app/console/(signed-in)/customers/[id]/export/route.ts': {
    methods: {
      POST: (f) =>
        probe(
          'POST',
          idSegment(f).map((id) => `/console/customers/${id}/export`),
          { body: true },
        ),
    },
  },
  // Prometheus text, not problem details; without METRICS_TOKEN (as here) a 404 in production.
  'app/api/metrics/route.ts': {
    methods: {
      GET: () =>
        probe(
          'GET',
          junkQuery.map((q) => `/api/metrics${q}`),
          {
            headers: fc.record(
              {
                authorization: fc.oneof(
                  junkHeaderValue.map((v) => `Bearer ${v}`),
                  junkHeaderValue,
                ),
              },
              { requiredKeys: [] },
            ),
          },
        ),
    },
  },
  // Personalization (docs/decisions/035-personalization.md): the content decision, the click route
  // of the /account blocks and the content images (the preferences and signals routes' entries
  // come with them).
  'app/api/v1/customers/[id]/content/route.ts': {
    problemJson: true,
    methods: {
      GET: (f) =>
        probe(
          'GET',
          fc
            .tuple(idSegment(f), junkQuery, fc.constantFrom('', '?slot=hero', '?slot=hero&locale=fr', '?slot=x'))
            .map(([id, q, known]) => `/api/v1/customers/${id}/content${known || q}`),
          {
            headers: fc.record(
              { authorization: authHeader(f), 'if-none-match': junkHeaderValue },
              { requiredKeys: ['authorization'] },
            ),
          },
        ),
    },
  },
  'app/account/go/[revision]/route.ts': {
    methods: { GET: sessionOnly(fc.tuple(junkSegment, junkQuery).map(([r, q]) => `/account/go/${r}${q}`))('GET') },
  },
  'app/api/content-images/[name]/route.ts': {
    methods: { GET: sessionOnly(junkSegment.map((name) => `/api/content-images/${name}`))('GET') },
  },
  // The marketer's image upload: a raw body, refused unless it decodes as JPEG, PNG or WebP.
  'app/console/(signed-in)/content/images/route.ts': {
    writes: 'a body that decodes as an image is stored (re-encoded) and audited as content.image.upload',
    methods: {
      POST: () =>
        probe(
          'POST',
          junkQuery.map((q) => `/console/content/images${q}`),
          { body: true },
        ),
    },
  },
};

/** A query string or form body of OAuth parameters, each the right value, junk, or absent. */
function oauthParams(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.record(
        Object.fromEntries(Object.entries(params).map(([name, value]) => [name, fc.oneof(value, junkString)])),
        { requiredKeys: [] },
      ),
      // A parameter given twice is an error the specifications name (RFC 6749 §3.1).
      fc.option(fc.constantFrom(...Object.keys(params)), { nil: undefined }),
      junkQuery,
    )
    .map(([values, repeated, extra]) => {
      const query = new URLSearchParams(values as Record<string, string>);
      if (repeated && values[repeated] !== undefined) query.append(repeated, values[repeated] as string);
      for (const [name, value] of new URLSearchParams(extra.slice(1))) query.append(name, value);
      return query.toString();
    });
}

const S256_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGRSw9Q-cM';

/** The authorization request's parameters: a well-formed request is one draw away from each malformed one. */
const authorizationParams = (f: Fixture) =>
  oauthParams({
    client_id: fc.constantFrom(f.clientId, 'app_unknown'),
    response_type: fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none'),
    redirect_uri: fc.constantFrom(
      f.redirectUri,
      'https://evil.example/callback',
      `${f.redirectUri}/../evil`,
      `${f.redirectUri}?x=1`,
      `${f.redirectUri}#fragment`,
      '//evil.example/callback',
      'javascript:alert(1)',
    ),
    scope: fc.constantFrom('openid', 'openid profile email', 'openid offline_access', 'profile', 'openid unknown'),
    state: junkString,
    nonce: junkString,
    code_challenge: fc.constantFrom(S256_CHALLENGE, 'short', ''),
    code_challenge_method: fc.constantFrom('S256', 'plain', 's256'),
    prompt: fc.constantFrom('none', 'login', 'consent', 'select_account', 'none login'),
    max_age: fc.constantFrom('0', '-1', '1e9', 'abc'),
    acr_values: fc.constantFrom('urn:accord:acr:session', 'urn:accord:acr:strong', 'urn:other'),
    response_mode: fc.constantFrom('query', 'fragment', 'form_post', 'jwt'),
    id_token_hint: fc.constantFrom('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'not.a.jwt'),
    login_hint: junkString,
    ui_locales: fc.constantFrom('fr', 'en', 'xx-invalid'),
    claims: junkJson.map((value) => JSON.stringify(value) ?? 'null'),
    request: fc.constant('eyJhbGciOiJub25lIn0.e30.'),
    request_uri: fc.constantFrom('urn:ietf:params:oauth:request_uri:x', 'https://evil.example/request'),
  });

const clientAuth = (f: Fixture) =>
  fc.record(
    {
      authorization: fc.oneof(
        { weight: 3, arbitrary: fc.constant(f.appBasic) },
        { weight: 1, arbitrary: junkHeaderValue.map((v) => `Basic ${v}`) },
        { weight: 1, arbitrary: junkHeaderValue.map((v) => `Basic ${Buffer.from(v).toString('base64')}`) },
        { weight: 1, arbitrary: junkHeaderValue },
      ),
    },
    { requiredKeys: [] },
  );

/** A form POST with these parameters, or (sometimes) any body under any content type. */
function oauthPost(path: string, params: fc.Arbitrary<string>, headers: fc.Arbitrary<Record<string, string>>) {
  return fc
    .tuple(probe('POST', fc.constant(path), { body: true, session: false, headers }), params, fc.nat(3))
    .map(([p, form, kind]) =>
      kind === 0
        ? p
        : { ...p, headers: { ...p.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form },
    );
}

/**
 * The OpenID provider's endpoints (docs/oidc.md), served by scripts/http-server.ts
 * in front of Next.js, so neither app/**\/route.ts nor the build lists them: they
 * come from the discovery document. Keyed by the discovery member naming each
 * (the run refuses to start when the document names one without an entry here),
 * plus the paths it does not name. Every error is the OAuth error its
 * specification names, below 500, without a stack, and no redirect leaves
 * Accord except to the client's registered URIs (fuzz.ts checkRedirects).
 */
export type ProviderEndpointSpec = Omit<RouteSpec, 'methods'> & {
  /** The path when the discovery document does not name it. */
  path?: string;
  /** `path`: the endpoint's path, as discovered. */
  methods: Record<string, (f: Fixture, path: string) => fc.Arbitrary<Probe>>;
};

export const PROVIDER_ENDPOINTS: Record<string, ProviderEndpointSpec> = {
  issuer: {
    path: '/oidc/.well-known/openid-configuration',
    methods: {
      GET: (_f, path) =>
        probe(
          'GET',
          junkQuery.map((q) => `${path}${q}`),
        ),
    },
  },
  jwks_uri: {
    methods: {
      GET: (_f, path) =>
        probe(
          'GET',
          junkQuery.map((q) => `${path}${q}`),
        ),
    },
  },
  authorization_endpoint: {
    writes: 'a well-formed authorization request starts an interaction (oidc_payloads), as any browser’s does',
    methods: {
      GET: (f, path) =>
        probe(
          'GET',
          authorizationParams(f).map((q) => `${path}?${q}`),
        ),
      POST: (f, path) =>
        fc
          .tuple(probe('POST', fc.constant(path), { body: true }), authorizationParams(f), fc.nat(3))
          .map(([p, form, kind]) =>
            kind === 0
              ? p
              : { ...p, headers: { ...p.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form },
          ),
    },
  },
  token_endpoint: {
    oauthJson: true,
    writes: 'a client_credentials request of the fixture’s client is well-formed: its token is stored',
    methods: {
      POST: (f, path) =>
        oauthPost(
          path,
          oauthParams({
            grant_type: fc.constantFrom(
              'authorization_code',
              'refresh_token',
              'client_credentials',
              'password',
              'urn:ietf:params:oauth:grant-type:device_code',
            ),
            code: junkString,
            redirect_uri: fc.constantFrom(f.redirectUri, 'https://evil.example/callback'),
            code_verifier: fc.constantFrom('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'short'),
            refresh_token: junkString,
            scope: fc.constantFrom('openid', 'customers:read', 'unknown'),
            client_id: fc.constantFrom(f.clientId, 'app_unknown'),
            client_secret: junkString,
            client_assertion_type: fc.constant('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
            client_assertion: fc.constant('eyJhbGciOiJIUzI1NiJ9.e30.x'),
          }),
          clientAuth(f),
        ),
    },
  },
  userinfo_endpoint: {
    oauthJson: true,
    methods: {
      GET: (_f, path) =>
        probe(
          'GET',
          junkQuery.map((q) => `${path}${q}`),
          {
            session: false,
            headers: fc.record(
              {
                authorization: fc.oneof(
                  junkHeaderValue.map((v) => `Bearer ${v}`),
                  junkHeaderValue,
                ),
              },
              { requiredKeys: [] },
            ),
          },
        ),
      POST: (_f, path) =>
        oauthPost(
          path,
          oauthParams({ access_token: junkString }),
          fc.record({ authorization: junkHeaderValue.map((v) => `Bearer ${v}`) }, { requiredKeys: [] }),
        ),
    },
  },
  revocation_endpoint: {
    oauthJson: true,
    methods: {
      POST: (f, path) =>
        oauthPost(
          path,
          oauthParams({
            token: junkString,
            token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'unknown'),
          }),
          clientAuth(f),
        ),
    },
  },
  introspection_endpoint: {
    oauthJson: true,
    methods: {
      POST: (f, path) =>
        oauthPost(
          path,
          oauthParams({
            token: junkString,
            token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'unknown'),
          }),
          clientAuth(f),
        ),
    },
  },
  end_session_endpoint: {
    writes: 'ending a session is well-formed without any parameter: the provider session (if any) ends',
    methods: {
      GET: (f, path) =>
        probe(
          'GET',
          oauthParams({
            id_token_hint: fc.constantFrom('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'not.a.jwt'),
            post_logout_redirect_uri: fc.constantFrom(
              f.postLogoutRedirectUri,
              'https://evil.example/',
              '//evil.example/',
              'javascript:alert(1)',
            ),
            client_id: fc.constantFrom(f.clientId, 'app_unknown'),
            state: junkString,
            logout_hint: junkString,
            ui_locales: fc.constantFrom('fr', 'xx'),
          }).map((q) => `${path}?${q}`),
        ),
      POST: (f, path) =>
        fc
          .tuple(
            probe('POST', fc.constant(path), { body: true }),
            oauthParams({
              post_logout_redirect_uri: fc.constantFrom(f.postLogoutRedirectUri, 'https://evil.example/'),
              client_id: fc.constantFrom(f.clientId, 'app_unknown'),
              state: junkString,
            }),
          )
          .map(([p, form]) => ({
            ...p,
            headers: { ...p.headers, 'content-type': 'application/x-www-form-urlencoded' },
            body: form,
          })),
    },
  },
  // Not in the discovery document: the logout confirmation form's target, and the
  // interaction (the portal's sign-in and consent screens come back through it).
  end_session_confirm: {
    path: '/oidc/session/end/confirm',
    writes: 'the confirmation form is well-formed with only its xsrf value: the provider session (if any) ends',
    methods: {
      POST: (_f, path) =>
        oauthPost(path, oauthParams({ xsrf: junkString, logout: fc.constantFrom('yes', 'no') }), fc.constant({})).map(
          (p) => ({ ...p, session: true }),
        ),
    },
  },
  interaction: {
    path: '/oidc/interaction/{uid}',
    methods: {
      GET: (_f, path) =>
        probe(
          'GET',
          fc.tuple(junkSegment, junkQuery).map(([uid, q]) => path.replace('{uid}', uid) + q),
        ),
      POST: (_f, path) =>
        probe(
          'POST',
          junkSegment.map((uid) => path.replace('{uid}', uid)),
          { body: true },
        ),
    },
  },
};

export type ActionSpec = {
  /** The fields of the action's object argument (its zod schema), filled with the wrong things. */
  fields?: readonly string[];
  /** Takes a FormData (a <form action>), with these fields. */
  form?: readonly string[];
  /** Why this action may write on any call: it takes no input, so every call is a well-formed one. */
  writes?: string;
  /** Runs after all others (2: after those marked 1): it ends the fuzz's session when it succeeds. */
  last?: 1 | 2;
};

const NO_INPUT = 'takes no input: every call is a well-formed call';

/** Keyed by `file#export`, as the build's server reference manifest names them. */
export const ACTIONS: Record<string, ActionSpec> = {
  'app/actions.ts#setLocaleAction': { form: ['locale'] },
  'app/(auth)/signin/oidc-actions.ts#oidcSignInAction': { form: ['provider', 'returnTo'] },
  'app/(auth)/signin/actions.ts#requestSignInAction': { fields: ['email'] },
  'app/(auth)/signin/actions.ts#resendCodeAction': { writes: NO_INPUT },
  'app/(auth)/signin/actions.ts#verifyCodeAction': { fields: ['code'] },
  'app/(auth)/signin/actions.ts#confirmLinkAction': { form: ['token'] },
  'app/(auth)/signin/actions.ts#startPasskeySignInAction': { writes: `${NO_INPUT} (a WebAuthn challenge)` },
  'app/(auth)/signin/actions.ts#finishPasskeySignInAction': { fields: ['ceremonyId', 'response'] },
  'app/(auth)/signin/link/actions.ts#cancelLinkAction': { writes: NO_INPUT },
  'app/(auth)/signin/link/actions.ts#startLinkPasskeyAction': { writes: NO_INPUT },
  'app/(auth)/signin/link/actions.ts#sendLinkCodeAction': { writes: NO_INPUT },
  'app/(auth)/signin/link/actions.ts#finishLinkPasskeyAction': { fields: ['ceremonyId', 'response'] },
  'app/(auth)/signin/link/actions.ts#verifyLinkCodeAction': { fields: ['code'] },
  'app/(auth)/welcome/actions.ts#completeOnboardingAction': { fields: ['firstName', 'acceptTerms', 'termsVersion'] },
  'app/account/actions.ts#signOutAction': { writes: NO_INPUT, last: 2 },
  'app/account/actions.ts#sendStepUpCodeAction': { writes: `${NO_INPUT} (a step-up code)` },
  'app/account/actions.ts#verifyStepUpCodeAction': { fields: ['code'] },
  'app/account/actions.ts#startStepUpPasskeyAction': { writes: `${NO_INPUT} (a WebAuthn challenge)` },
  'app/account/actions.ts#finishStepUpPasskeyAction': { fields: ['ceremonyId', 'response'] },
  'app/account/security/actions.ts#startAddPasskeyAction': { writes: `${NO_INPUT} (a WebAuthn challenge)` },
  'app/account/security/actions.ts#finishAddPasskeyAction': { fields: ['ceremonyId', 'response', 'name'] },
  'app/account/security/actions.ts#renamePasskeyAction': { fields: ['passkeyId', 'name'] },
  'app/account/security/actions.ts#deletePasskeyAction': { fields: ['passkeyId'] },
  'app/account/security/actions.ts#revokeSessionAction': { fields: ['sessionId'] },
  'app/account/security/actions.ts#revokeOtherSessionsAction': { writes: NO_INPUT, last: 1 },
  'app/account/security/identity-actions.ts#unlinkIdentityAction': { fields: ['identityId'] },
  'app/account/privacy/actions.ts#setConsentAction': { fields: ['purposeKey', 'version', 'granted'] },
  'app/account/privacy/actions.ts#setAppAccessAction': { fields: ['appId', 'allowed'] },
  'app/account/privacy/actions.ts#startExportAction': { writes: NO_INPUT },
  'app/account/privacy/actions.ts#deleteAccountAction': { fields: ['confirmation'], last: 1 },
  'app/account/profile/actions.ts#savePersonalDetailsAction': { fields: ['values', 'changed', 'version'] },
  'app/account/profile/actions.ts#saveAddressAction': { fields: ['kind', 'version', 'address'] },
  'app/account/profile/actions.ts#removeAddressAction': { fields: ['kind', 'version'] },
  'app/account/profile/actions.ts#requestEmailChangeAction': { fields: ['newEmail'] },
  'app/account/profile/actions.ts#confirmEmailChangeCodeAction': { fields: ['code'] },
  'app/account/profile/actions.ts#cancelEmailChangeAction': { writes: NO_INPUT },
  'app/account/profile/actions.ts#closeEmailRevertAction': { writes: NO_INPUT },
  'app/email-change/actions.ts#confirmEmailChangeLinkAction': { form: ['token'] },
  'app/email-change/actions.ts#revertEmailChangeAction': { form: ['token'] },
  'app/security/not-me/actions.ts#confirmNotMeAction': { form: ['token', 'eventId'] },
  'app/console/(signed-in)/actions.ts#staffSignOutAction': { writes: NO_INPUT, last: 2 },
  'app/console/(signed-in)/staff/actions.ts#inviteStaffAction': { fields: ['email', 'displayName', 'roles', 'locale'] },
  'app/console/(signed-in)/staff/actions.ts#reinviteStaffAction': { fields: ['staffId'] },
  'app/console/(signed-in)/staff/actions.ts#changeRolesAction': { fields: ['staffId', 'roles', 'version'] },
  'app/console/(signed-in)/staff/actions.ts#setStaffDisabledAction': { fields: ['staffId', 'version'] },
  'app/console/(signed-in)/staff/actions.ts#removeStaffPasskeyAction': { fields: ['staffId', 'passkeyId'] },
  'app/console/signin/actions.ts#startStaffSignInAction': { writes: `${NO_INPUT} (a WebAuthn challenge)` },
  'app/console/signin/actions.ts#finishStaffSignInAction': { fields: ['ceremonyId', 'response'] },
  'app/console/invitation/actions.ts#checkInvitationAction': { fields: ['token'] },
  'app/console/invitation/actions.ts#startEnrolmentAction': { fields: ['token'] },
  'app/console/invitation/actions.ts#finishEnrolmentAction': { fields: ['token', 'ceremonyId', 'response'] },
  'app/console/(signed-in)/account/actions.ts#startStaffStepUpAction': { writes: NO_INPUT },
  'app/console/(signed-in)/account/actions.ts#finishStaffStepUpAction': { fields: ['ceremonyId', 'response'] },
  'app/console/(signed-in)/account/actions.ts#startAddStaffPasskeyAction': { writes: NO_INPUT },
  'app/console/(signed-in)/account/actions.ts#finishAddStaffPasskeyAction': { fields: ['ceremonyId', 'response'] },
  'app/console/(signed-in)/account/actions.ts#removeStaffPasskeyAction': { fields: ['passkeyId'] },
  // Apps in the console (lib/validation/app.ts): junk in these fields is refused by the schema
  // before any registry call, so nothing is written, whoever is signed in.
  'app/console/(signed-in)/apps/actions.ts#createAppAction': {
    fields: [
      'name',
      'description',
      'purposes',
      'fields',
      'scopes',
      'webhook',
      'rateLimitPerMinute',
      'redirectUris',
      'postLogoutRedirectUris',
      'clientType',
      'oidcScopes',
      'requiredClaims',
      'optionalClaims',
      'backchannelLogoutUri',
    ],
  },
  'app/console/(signed-in)/apps/actions.ts#rotateClientSecretAction': { fields: ['clientId'] },
  'app/console/(signed-in)/apps/actions.ts#updateAppSignInAction': {
    fields: [
      'clientId',
      'redirectUris',
      'postLogoutRedirectUris',
      'clientType',
      'oidcScopes',
      'requiredClaims',
      'optionalClaims',
      'backchannelLogoutUri',
    ],
  },
  'app/console/(signed-in)/apps/actions.ts#rotateWebhookSecretAction': { fields: ['clientId'] },
  'app/console/(signed-in)/apps/actions.ts#setAppDisabledAction': { fields: ['clientId', 'disabled'] },
  'app/console/(signed-in)/apps/actions.ts#grantDatabaseRoleAction': { fields: ['clientId'] },
  'app/console/(signed-in)/apps/actions.ts#revokeDatabaseRoleAction': { fields: ['clientId'] },
  'app/console/(signed-in)/apps/actions.ts#redriveDeliveriesAction': { fields: ['clientId', 'ids'] },
  'app/console/(signed-in)/customers/actions.ts#findCustomerAction': { fields: ['email', 'reason'] },
  // A support reveal (issue 16): junk is refused by the schema, a well-formed one outside the
  // member's own open case is 403; the fuzz's member has no support case, so nothing is written.
  'app/console/(signed-in)/support/cases/[id]/reveal-actions.ts#revealFieldAction': {
    fields: ['field', 'reason', 'ticketRef'],
  },
  // Agent actions (issue 16 item 4): junk is refused by the schema (the agreement box
  // included), a well-formed one outside the member's own open case is 403; the fuzz's
  // member has no support case, so nothing is written.
  'app/console/(signed-in)/support/cases/[id]/agent-actions-server.ts#resendEmailChangeAction': { fields: ['agreed'] },
  'app/console/(signed-in)/support/cases/[id]/agent-actions-server.ts#endAllSessionsAction': { fields: ['agreed'] },
  'app/console/(signed-in)/support/cases/[id]/agent-actions-server.ts#fixAddressAction': {
    fields: ['agreed', 'kind', 'address'],
  },
  'app/console/(signed-in)/support/cases/[id]/agent-actions-server.ts#startEmailChangeAction': {
    fields: ['agreed', 'newEmail'],
  },
  'app/console/(signed-in)/support/cases/[id]/agent-actions-server.ts#recordConsentAction': {
    fields: ['agreed', 'purposeKey', 'granted'],
  },
  'app/console/(signed-in)/customers/actions.ts#eraseCustomerAction': {
    fields: ['reason', 'requestReference', 'confirmation'],
  },
  // Account recovery through support: outside the agent's own open case every one is a 403, and
  // junk ids or codes are refused before any write (server/support/recovery.ts).
  'app/console/(signed-in)/support/cases/[id]/recovery-actions.ts#startRecoveryAction': { fields: ['newEmail'] },
  'app/console/(signed-in)/support/cases/[id]/recovery-actions.ts#sendRecoveryCodeAction': { writes: NO_INPUT },
  'app/console/(signed-in)/support/cases/[id]/recovery-actions.ts#proveRecoveryAction': { fields: ['code'] },
  'app/console/(signed-in)/support/cases/[id]/recovery-actions.ts#cancelRecoveryAction': { writes: NO_INPUT },
  'app/recovery/actions.ts#cancelRecoveryLinkAction': { form: ['token'] },
  'app/console/(signed-in)/audit/customer/actions.ts#findCustomerAccessAction': { form: ['email'] },
  // Cancels the signed-in customer's own recovery, if any: no input, nothing else it can touch.
  'app/recovery/actions.ts#cancelMyRecoveryAction': { writes: NO_INPUT },
  // Support (docs/decisions/036-support-console.md): the customer's code and request approval,
  // the agent's verification, request and case forms.
  'app/account/support/actions.ts#showSupportCodeAction': { writes: `${NO_INPUT} (a support code for the session)` },
  'app/account/support/actions.ts#decideSupportRequestAction': { fields: ['requestId', 'decision'] },
  'app/console/(signed-in)/support/actions.ts#verifySupportCodeAction': { fields: ['email', 'code'] },
  'app/console/(signed-in)/support/actions.ts#sendVerificationRequestAction': { fields: ['email'] },
  'app/console/(signed-in)/support/actions.ts#openApprovedCaseAction': { fields: ['requestId'] },
  'app/console/(signed-in)/support/actions.ts#addCaseNoteAction': { fields: ['caseId', 'body'] },
  'app/console/(signed-in)/support/actions.ts#closeCaseAction': { fields: ['caseId'] },
  // The preference center (app/account/preferences): a full replacement against a version, and
  // the deletion of the customer's own activity.
  'app/account/preferences/actions.ts#savePreferencesAction': { fields: ['values', 'version'] },
  'app/account/preferences/actions.ts#deleteSignalsAction': {
    fields: ['ids', 'all'],
    writes: '{all: true} is a well-formed call: it deletes the signed-in customer’s own activity, with its event',
  },
  // Publishing and previewing personalized content (docs/decisions/035-personalization.md §6).
  'app/console/(signed-in)/content/blocks/[id]/history/actions.ts#publishRevisionAction': {
    fields: ['objectId', 'revisionId', 'expectedLiveRevisionId', 'note'],
  },
  'app/console/(signed-in)/content/blocks/[id]/history/actions.ts#unpublishAction': {
    fields: ['objectId', 'expectedLiveRevisionId'],
  },
  'app/console/(signed-in)/content/blocks/[id]/history/actions.ts#revertAction': {
    fields: ['objectId', 'toRevisionId', 'expectedLiveRevisionId'],
  },
  'app/console/(signed-in)/content/blocks/[id]/history/actions.ts#decidePublicationAction': {
    fields: ['objectId', 'publicationId', 'approve', 'note'],
  },
  // The block and segment editors, and the audience estimate (content.view; not audited).
  'app/console/(signed-in)/content/actions.ts#saveBlockAction': {
    fields: ['objectId', 'slot', 'key', 'expectedLatestRevisionId', 'body'],
    writes: 'a well-formed block is a new draft revision, audited as content.revision.create',
  },
  'app/console/(signed-in)/content/actions.ts#saveSegmentAction': {
    fields: ['objectId', 'key', 'expectedLatestRevisionId', 'body'],
    writes: 'a well-formed segment is a new draft revision, audited as content.revision.create',
  },
  'app/console/(signed-in)/content/actions.ts#estimateAudienceAction': { fields: ['rule'] },
  'app/console/(signed-in)/content/settings/actions.ts#saveHoldoutAction': {
    fields: ['holdoutPercent', 'expectedLatestRevisionId', 'expectedLiveRevisionId', 'note'],
  },
  'app/console/(signed-in)/content/preview/actions.tsx#previewCustomerAction': {
    fields: ['email', 'sample', 'draft', 'reason', 'locale'],
  },
  // An app's sign-in request (app/authorize): a uid that is no pending interaction of the
  // signed-in customer is refused before anything is saved (server/oidc/interaction-store.ts).
  'app/authorize/actions.ts#answerConsentAction': { fields: ['uid', 'approved', 'optional'] },
};

/** A multipart body as its fields (printable in a counterexample), made a FormData when sent. */
export type FormFields = { form: Array<[string, string]> };
export type ActionBody = { contentType?: string; body: string | Uint8Array | FormFields; session: boolean };

/**
 * Bodies a browser's call would never send, in the encodings Next.js decodes:
 * JSON argument lists (React's encodeReply of plain values), multipart forms
 * (a FormData argument is sent as fields prefixed by its reference), and junk.
 */
export function actionBodies(spec: ActionSpec): fc.Arbitrary<ActionBody> {
  const argumentList = fc
    .array(fc.oneof(junkObject(spec.fields ?? []), junkJson), { minLength: 0, maxLength: 3 })
    .map((args) => JSON.stringify(args));
  const formFields = fc.dictionary(
    fc.oneof(
      fc.constantFrom(...(spec.form ?? ['x']), '0', '1_token', '$ACTION_REF_1', '$ACTION_1:0'),
      fc.string({ maxLength: 8 }),
    ),
    junkHeaderValue,
    { maxKeys: 4 },
  );
  const formArgument = fc
    .tuple(formFields, fc.constantFrom('["$K1"]', '["$K2"]', '[]', '"$K1"', '{}'))
    .map(([fields, root]): FormFields => ({
      form: [
        ['0', root],
        ...Object.entries(fields).map(([name, value]): [string, string] => [
          name.startsWith('$') || name === '0' ? name : `1_${name}`,
          value,
        ]),
      ],
    }));
  return fc
    .record({
      kind: fc.constantFrom('json', 'form', 'raw'),
      json: argumentList,
      form: formArgument,
      raw: junkBody,
      contentType: junkContentType,
      session: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map(({ kind, json, form, raw, contentType, session }) =>
      kind === 'json'
        ? { contentType: 'text/plain;charset=UTF-8', body: json, session }
        : kind === 'form'
          ? { body: form, session }
          : { contentType, body: raw, session },
    );
}
