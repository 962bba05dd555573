import 'server-only';

import { z } from 'zod';
import { createDocument, type ZodOpenApiResponseObject } from 'zod-openapi';

import { getEnv } from '@/server/platform/env';

import type { AppScope } from '../registry';
import { PROBLEM_CONTENT_TYPE } from './problem';
import {
  ContentETagHeaderSchema,
  CustomerConsentsSchema,
  CustomerContentQuerySchema,
  CustomerContentSchema,
  CustomerListQuerySchema,
  CustomerListSchema,
  CustomerPatchSchema,
  CustomerPathSchema,
  CustomerSchema,
  ETagHeaderSchema,
  IdempotencyKeyHeaderSchema,
  IfMatchHeaderSchema,
  LinkHeaderSchema,
  LocationHeaderSchema,
  OAuthErrorSchema,
  PreferencesETagHeaderSchema,
  PreferencesIfMatchHeaderSchema,
  PreferencesPutSchema,
  ProblemSchema,
  RetryAfterHeaderSchema,
  SignalPostSchema,
  SignalSchema,
  TokenRequestSchema,
  TokenResponseSchema,
} from './schemas';

// The OpenAPI 3.1 document of the apps' API (GET /api/v1/openapi.json,
// rendered at /docs/api), generated from the zod schemas the routes validate
// with (server/apps/api/schemas.ts). Only the prose is written here.

export const SCOPE_DESCRIPTIONS: Record<AppScope, string> = {
  'customers:read': 'Read customers: only the fields the customer has consented to for this app.',
  'customers:write': 'Change profile fields (names, phone, addresses) the app may read.',
  'preferences:write':
    'Replace the preferences (interests, favourite store, sizes, channels) the app may read; with customers:write, the preferred language (locale).',
  'signals:write':
    'Record behaviour signals (a category viewed, an item added to or removed from the cart, an order) of customers whose signals the app may read.',
  'content:read': 'Read the content chosen for a customer (personalized only as far as the customer consented).',
};

const problem = (description: string, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

const WWWAuthenticate = z.string().meta({
  description: 'RFC 6750 challenge: error="invalid_token" or error="insufficient_scope" with the scope needed.',
});

const commonProblems: Record<string, ZodOpenApiResponseObject> = {
  '401': problem(
    'A missing, invalid, expired or revoked access token (revoked: the app was disabled or its secret rotated).',
    z.object({ 'WWW-Authenticate': WWWAuthenticate }),
  ),
  '403': problem('The token lacks the scope this request needs.', z.object({ 'WWW-Authenticate': WWWAuthenticate })),
  '429': problem("Over the app's requests per minute.", z.object({ 'Retry-After': RetryAfterHeaderSchema })),
  '500': problem('Unexpected; logged with the errorId given.'),
};

const customerResponse = (description: string): ZodOpenApiResponseObject => ({
  description,
  headers: z.object({ ETag: ETagHeaderSchema }),
  content: { 'application/json': { schema: CustomerSchema } },
});

const notFound = problem(
  'Unknown id, or a customer of whom this app may see nothing (no consent, or its access withdrawn): not told apart.',
);

let cached: ReturnType<typeof createDocument> | undefined;

export function getOpenApiDocument(): ReturnType<typeof createDocument> {
  if (cached) return cached;
  const { APP_URL } = getEnv();
  const read = [{ oauth2: ['customers:read'] }];
  cached = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Accord API for the brand\u2019s apps',
      version: '1.0.0',
      description:
        'The customers of the brand, as each app may see them: every read is filtered by the customer\u2019s consents and recorded in ' +
        'their "who looked at my data" list; every write goes through the same validation, history and change events as the portal. ' +
        'Authenticate with OAuth 2.0 client credentials. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: APP_URL }],
    tags: [
      { name: 'Authentication', description: 'OAuth 2.0 client credentials (RFC 6749 section 4.4).' },
      { name: 'Customers', description: 'Customers and their consents.' },
    ],
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description:
            'Bearer access tokens from the client credentials grant, valid for API_TOKEN_TTL_SECONDS (10 minutes by default).',
          flows: { clientCredentials: { tokenUrl: `${APP_URL}/api/oauth/token`, scopes: SCOPE_DESCRIPTIONS } },
        },
        clientBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'client_secret_basic at the token endpoint: client id and secret.',
        },
      },
    },
    paths: {
      '/api/oauth/token': {
        post: {
          operationId: 'requestToken',
          tags: ['Authentication'],
          summary: 'Get an access token',
          description:
            'Client credentials grant. Authenticate with HTTP Basic (client_secret_basic) or client_id and client_secret in the form ' +
            '(client_secret_post), not both. The token is a bearer token for the API; ask for a new one when it expires.',
          security: [{ clientBasic: [] }, {}],
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: TokenRequestSchema } },
          },
          responses: {
            '200': {
              description: 'The access token (Cache-Control: no-store).',
              content: { 'application/json': { schema: TokenResponseSchema } },
            },
            '400': {
              description: 'invalid_request, unsupported_grant_type or invalid_scope.',
              content: { 'application/json': { schema: OAuthErrorSchema } },
            },
            '401': {
              description: 'invalid_client: unknown client, wrong secret, disabled app, or no client authentication.',
              headers: z.object({ 'WWW-Authenticate': z.string().meta({ description: 'Basic realm="accord-api"' }) }),
              content: { 'application/json': { schema: OAuthErrorSchema } },
            },
            '429': problem(
              'Too many token requests from this client id or this IP address in 15 minutes.',
              z.object({ 'Retry-After': RetryAfterHeaderSchema }),
            ),
          },
        },
      },
      '/api/v1/customers': {
        get: {
          operationId: 'listCustomers',
          tags: ['Customers'],
          summary: 'List customers, or find one by email',
          description:
            'Without email: a page, in id order, of the customers this app may see something of. With email: the customer with that ' +
            'address, only if this app may see their email (else an empty list).',
          security: read,
          requestParams: { query: CustomerListQuerySchema },
          responses: {
            '200': {
              description: 'A page of customers.',
              headers: z.object({ Link: LinkHeaderSchema.optional() }),
              content: { 'application/json': { schema: CustomerListSchema } },
            },
            '400': problem('A query parameter is not valid (see errors).'),
            ...commonProblems,
          },
        },
      },
      '/api/v1/customers/{id}': {
        get: {
          operationId: 'getCustomer',
          tags: ['Customers'],
          summary: 'Read a customer',
          security: read,
          requestParams: { path: CustomerPathSchema },
          responses: {
            '200': customerResponse('The customer as this app may see them.'),
            '404': notFound,
            ...commonProblems,
          },
        },
        patch: {
          operationId: 'updateCustomer',
          tags: ['Customers'],
          summary: 'Change a customer\u2019s profile',
          description:
            'Writes the members given, through the same validation, history and change events as the portal, recorded as written by ' +
            'this app. Conditional: If-Match must carry the ETag read; a customer changed since is refused with 412. The app may ' +
            'write only the fields it may read of this customer (403 otherwise); locale also needs the preferences:write scope.',
          security: [{ oauth2: ['customers:write'] }],
          requestParams: { path: CustomerPathSchema, header: z.object({ 'If-Match': IfMatchHeaderSchema }) },
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: CustomerPatchSchema },
              'application/merge-patch+json': { schema: CustomerPatchSchema },
            },
          },
          responses: {
            '200': customerResponse('Written (or nothing to change): the customer as now, with the new ETag.'),
            '204': {
              description: 'Written, but the customer withdrew this app\u2019s access meanwhile: nothing to show.',
              headers: z.object({ ETag: ETagHeaderSchema }),
            },
            '400': problem('The body is not JSON, or If-Match is malformed.'),
            '403': problem(
              'A field this app may not write of this customer (field-not-writable), or a missing scope (insufficient-scope).',
              z.object({ 'WWW-Authenticate': WWWAuthenticate.optional() }),
            ),
            '404': notFound,
            '412': problem(
              'The customer changed since the ETag sent; the current one is in the ETag header.',
              z.object({ ETag: ETagHeaderSchema }),
            ),
            '413': problem('The body is over 64 KiB.'),
            '415': problem(
              'Not application/json.',
              z.object({ 'Accept-Patch': z.string().meta({ description: 'The media types accepted.' }) }),
            ),
            '422': problem('A member is not valid, or unknown (see errors). Nothing was written.'),
            '428': problem('If-Match is missing (or *).'),
            '401': commonProblems['401']!,
            '429': commonProblems['429']!,
            '500': commonProblems['500']!,
          },
        },
      },
      '/api/v1/customers/{id}/content': {
        get: {
          operationId: 'getCustomerContent',
          tags: ['Customers'],
          summary: 'The content chosen for a customer',
          description:
            'The blocks the brand\u2019s home page would show this customer, per slot, decided by the same rules. Personalized only ' +
            'when the customer granted the personalization purpose and this app is registered for it (its decisions are listed in ' +
            'the customer\u2019s "who looked at my data"); otherwise the generic blocks, whether the id is known or not. Revalidate ' +
            'with If-None-Match: 304 while nothing it depends on changed.',
          security: [{ oauth2: ['content:read'] }],
          requestParams: {
            path: CustomerPathSchema,
            query: CustomerContentQuerySchema,
            header: z.object({
              'If-None-Match': z
                .string()
                .optional()
                .meta({ description: 'The ETag of the answer you hold: 304 Not Modified if it is still the one.' }),
            }),
          },
          responses: {
            '200': {
              description: 'The blocks per slot (Cache-Control: private, no-cache).',
              headers: z.object({ ETag: ContentETagHeaderSchema }),
              content: { 'application/json': { schema: CustomerContentSchema } },
            },
            '304': {
              description: 'The answer held is still the one.',
              headers: z.object({ ETag: ContentETagHeaderSchema }),
            },
            '400': problem('An unknown slot or locale, or another parameter (see errors).'),
            '404': problem('The id is not a customer id at all (any well-formed id gets an answer).'),
            ...commonProblems,
          },
        },
      },
      '/api/v1/customers/{id}/consents': {
        get: {
          operationId: 'getCustomerConsents',
          tags: ['Customers'],
          summary: 'Read a customer\u2019s consents for this app\u2019s purposes',
          security: read,
          requestParams: { path: CustomerPathSchema },
          responses: {
            '200': {
              description: 'One entry per purpose this app declared.',
              content: { 'application/json': { schema: CustomerConsentsSchema } },
            },
            '404': notFound,
            ...commonProblems,
          },
        },
      },
      '/api/v1/customers/{id}/preferences': {
        put: {
          operationId: 'replacePreferences',
          tags: ['Customers'],
          summary: 'Replace a customer\u2019s preferences',
          description:
            'A full replacement of the interests, favourite store, sizes and channels, through the same validation, history and ' +
            'change event as the portal, recorded as set by this app; a value sent again keeps who set it and when. Conditional: ' +
            'If-Match must carry the ETag of the preferences read. The app may write them only if it may read the preferences ' +
            'field of this customer (403 otherwise). An Idempotency-Key is optional.',
          security: [{ oauth2: ['preferences:write'] }],
          requestParams: {
            path: CustomerPathSchema,
            header: z.object({
              'If-Match': PreferencesIfMatchHeaderSchema,
              'Idempotency-Key': IdempotencyKeyHeaderSchema.optional(),
            }),
          },
          requestBody: { required: true, content: { 'application/json': { schema: PreferencesPutSchema } } },
          responses: {
            '204': {
              description: 'Written (or nothing to change): the new ETag.',
              headers: z.object({ ETag: PreferencesETagHeaderSchema }),
            },
            '400': problem('The body is not JSON, or If-Match or Idempotency-Key is malformed.'),
            '403': problem(
              'This app may not write the preferences of this customer (field-not-writable), or a missing scope (insufficient-scope).',
              z.object({ 'WWW-Authenticate': WWWAuthenticate.optional() }),
            ),
            '404': notFound,
            '412': problem(
              'The preferences changed since the ETag sent; the current one is in the ETag header.',
              z.object({ ETag: PreferencesETagHeaderSchema }),
            ),
            '413': problem('The body is over 16 KiB.'),
            '415': problem('Not application/json.'),
            '422': problem(
              'A value is not valid or unknown (see errors, with JSON pointers), or the Idempotency-Key was used for another request. Nothing was written.',
            ),
            '428': problem('If-Match is missing (or *).'),
            '401': commonProblems['401']!,
            '429': commonProblems['429']!,
            '500': commonProblems['500']!,
          },
        },
      },
      '/api/v1/customers/{id}/signals': {
        post: {
          operationId: 'recordSignal',
          tags: ['Customers'],
          summary: 'Record a behaviour signal',
          description:
            'One thing the customer did in this app: a category viewed, an item added to or removed from the cart, an order. ' +
            'Recorded only while the customer grants personalization and this app may read their signals field (403 otherwise); ' +
            'the customer sees, deletes and exports each signal, and it counts for SIGNAL_RETENTION_DAYS. Idempotency-Key is ' +
            'required: a retry with the same key gets the first answer. At most RATE_LIMIT_SIGNALS_PER_CUSTOMER (60) a minute ' +
            'per customer for this app.',
          security: [{ oauth2: ['signals:write'] }],
          requestParams: {
            path: CustomerPathSchema,
            header: z.object({ 'Idempotency-Key': IdempotencyKeyHeaderSchema }),
          },
          requestBody: { required: true, content: { 'application/json': { schema: SignalPostSchema } } },
          responses: {
            '201': {
              description: 'Recorded (or, for a retry with the same Idempotency-Key, recorded the first time).',
              headers: z.object({ Location: LocationHeaderSchema }),
              content: { 'application/json': { schema: SignalSchema } },
            },
            '400': problem('The body is not JSON, or Idempotency-Key is missing or malformed.'),
            '403': problem(
              'This app may not write the signals of this customer now (field-not-writable), or a missing scope (insufficient-scope).',
              z.object({ 'WWW-Authenticate': WWWAuthenticate.optional() }),
            ),
            '404': notFound,
            '413': problem('The body is over 4 KiB.'),
            '415': problem('Not application/json.'),
            '422': problem(
              'A member is not valid or unknown (see errors), or the Idempotency-Key was used for another request. Nothing was written.',
            ),
            '401': commonProblems['401']!,
            '429': problem(
              "Over the app's requests per minute, or over its signals a minute for this customer.",
              z.object({ 'Retry-After': RetryAfterHeaderSchema }),
            ),
            '500': commonProblems['500']!,
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['Authentication'],
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': {} } } },
        },
      },
    },
  });
  return cached;
}
