import 'server-only';

import { z } from 'zod';
import type { ZodOpenApiOverrideMetaContext } from 'zod-openapi';

import { locales } from '@/lib/i18n/config';
import { SIGNAL_TYPES, SLOT_KEYS, type SignalType } from '@/lib/personalization/catalogue';
import { ADDRESS_COUNTRIES, ADDRESS_LINE_MAX_LENGTH } from '@/lib/validation/address';
import { PreferencesInputSchema } from '@/lib/validation/preferences';
import { ProfilePatchSchema } from '@/lib/validation/profile-patch';
import { SIGNAL_ITEM_MAX_LENGTH } from '@/lib/validation/signals';
import { SHARED_FIELDS } from '@/server/consent/policy';

import { APP_SCOPES } from '../registry';

// The apps' API contract: the routes validate with these schemas and
// server/apps/api/openapi.ts renders the OpenAPI document from the very same ones
// (zod-openapi reads `.meta()`), so the two cannot drift apart.

// ── Requests ──

/** Any 8-4-4-4-12 hex id PostgreSQL accepts as uuid (z.uuid() would also check the RFC 9562 variant). */
export const CustomerIdSchema = z
  .guid()
  .meta({ description: "The customer's id.", example: '0b8f6c1e-7d3a-4f41-9a8e-2f0c5d9e1a7b' });

export const CustomerPathSchema = z.object({ id: CustomerIdSchema });

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

export const CustomerListQuerySchema = z.strictObject({
  email: z
    .string()
    .max(254)
    .pipe(z.email({ error: 'email.invalid' }))
    .optional()
    .meta({
      description:
        'Find the customer with this email address (only if this app may see the email). Not combined with cursor.',
      example: 'ana@example.com',
    }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(LIST_LIMIT_MAX)
    .default(LIST_LIMIT_DEFAULT)
    .meta({ description: `Page size, 1 to ${LIST_LIMIT_MAX}.` }),
  cursor: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Opaque: the `next` of the previous page. Absent for the first page.' }),
});

/** In `addresses.*`, a missing or null `line2` reads as no second line (reads return null for it). */
export function normalizeCustomerPatch(value: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value) || !isObject(value.addresses)) return value;
  const addresses = Object.fromEntries(
    Object.entries(value.addresses).map(([kind, address]) => [
      kind,
      isObject(address) && (address.line2 === null || address.line2 === undefined)
        ? { ...address, line2: '' }
        : address,
    ]),
  );
  return { ...value, addresses };
}

/**
 * PATCH /api/v1/customers/{id}: the portal's own ProfilePatchSchema (same
 * validation as the forms, and updateProfile parses it again), taking a
 * missing or null address line2 as the forms' empty one so that what an app
 * read can be sent back as it is. Give updateProfile normalizeCustomerPatch(body):
 * it parses the input again and would refuse the transformed output.
 */
export const CustomerPatchSchema = z.preprocess(normalizeCustomerPatch, ProfilePatchSchema).meta({
  id: 'CustomerPatch',
  description:
    'Only the members present are written; null removes a value (lastName, phone, an address). Unknown members are refused. ' +
    'firstName/lastName need the name field, phone the phone field, addresses the postalAddress field, locale the locale field ' +
    'and the preferences:write scope. Phones are international (+33…). Text is trimmed; control characters are refused.',
  override: ({ jsonSchema }: ZodOpenApiOverrideMetaContext) => {
    // Document what normalizeCustomerPatch allows: line2 optional and nullable.
    const addresses = (
      jsonSchema.properties as
        Record<string, { properties?: Record<string, { anyOf?: Array<Record<string, unknown>> }> }> | undefined
    )?.addresses;
    for (const kind of Object.values(addresses?.properties ?? {})) {
      const address = kind.anyOf?.find((s) => s.type === 'object') as
        { properties: Record<string, unknown>; required?: string[] } | undefined;
      if (!address) continue;
      // Assigned, not wrapped: the three kinds may share one rendered object.
      address.properties.line2 = {
        anyOf: [{ type: 'string', maxLength: ADDRESS_LINE_MAX_LENGTH }, { type: 'null' }],
        description: 'Empty, null or absent: no second line.',
      };
      address.required = address.required?.filter((r) => r !== 'line2');
    }
  },
});

/**
 * PUT /api/v1/customers/{id}/preferences: the portal's own schema (the write
 * path parses it again); wrapped in classic zod so that the document names it.
 */
export const PreferencesPutSchema = z
  .preprocess((value) => value, PreferencesInputSchema)
  .meta({
    id: 'PreferencesPut',
    description:
      'The whole of the customer\u2019s preferences: members left out are not kept, so send back what you read with your change. ' +
      'interests are category keys, favouriteStore a store key (of this site\u2019s reference data, not retired unless the customer ' +
      'already holds it); sizes.clothing XS\u2026XXL, sizes.shoes 35\u202648 (EU); channels among email, sms, push, post. ' +
      'A value sent again keeps who set it and when.',
  });

const SIGNAL_TYPE_KEYS = Object.keys(SIGNAL_TYPES) as [SignalType, ...SignalType[]];

/** POST /api/v1/customers/{id}/signals. */
export const SignalPostSchema = z
  .strictObject({
    type: z.enum(SIGNAL_TYPE_KEYS, { error: `type is one of ${SIGNAL_TYPE_KEYS.join(', ')}.` }).meta({
      description: 'What the customer did.',
    }),
    category: z
      .string({ error: 'category is a category key, like "running".' })
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: 'category is a category key, like "running".' })
      .meta({ description: 'A category key of this site\u2019s reference data, not retired.', example: 'running' }),
    item: z
      .string({ error: `item is a string of 1 to ${SIGNAL_ITEM_MAX_LENGTH} characters, or null.` })
      .min(1, { error: `item is a string of 1 to ${SIGNAL_ITEM_MAX_LENGTH} characters, or null.` })
      .max(SIGNAL_ITEM_MAX_LENGTH, { error: `item is a string of 1 to ${SIGNAL_ITEM_MAX_LENGTH} characters, or null.` })
      .nullable()
      .optional()
      .meta({
        description:
          'Your own reference of the item (a SKU): shown to the customer and in their export, never used to choose content.',
      }),
    occurredAt: z.iso
      .datetime({ offset: true, error: 'occurredAt is an RFC 3339 date-time, like 2026-12-07T18:00:00Z.' })
      .optional()
      .meta({
        description:
          'When it happened; now when absent. At most 5 minutes ahead of the server\u2019s clock, and within the signal retention ' +
          '(SIGNAL_RETENTION_DAYS, 90 days by default).',
      }),
  })
  .meta({ id: 'SignalPost', description: 'One behaviour signal. Unknown members are refused.' });

/** The token request (RFC 6749 section 4.4.2); unknown parameters are ignored, as section 3.2 requires. */
export const TokenRequestSchema = z
  .looseObject({
    grant_type: z.literal('client_credentials'),
    scope: z
      .string()
      .optional()
      .meta({
        description: `Space-separated, a subset of the app's scopes (${APP_SCOPES.join(', ')}); all of them when absent.`,
      }),
    client_id: z.string().optional().meta({ description: 'client_secret_post only (else HTTP Basic authentication).' }),
    client_secret: z
      .string()
      .optional()
      .meta({ description: 'client_secret_post only (else HTTP Basic authentication).' }),
  })
  .meta({ id: 'TokenRequest' });

// ── Responses ──

const AddressSchema = z
  .object({
    country: z.enum(ADDRESS_COUNTRIES),
    line1: z.string(),
    line2: z.string().nullable(),
    postalCode: z.string(),
    city: z.string(),
  })
  .meta({ id: 'Address' });

export const CustomerSchema = z
  .object({
    id: z.uuid(),
    version: z
      .int()
      .positive()
      .meta({ description: 'The profile version, also the ETag ("<version>") to send in If-Match.' }),
    updatedAt: z.iso.datetime(),
    firstName: z.string().nullable().optional(),
    lastName: z.string().nullable().optional(),
    email: z.string().optional(),
    emailVerified: z.boolean().optional(),
    phone: z.string().nullable().optional().meta({ description: 'E.164, like +33612345678.' }),
    locale: z.enum(locales).optional(),
    addresses: z
      .object({ home: AddressSchema.nullable(), billing: AddressSchema.nullable(), shipping: AddressSchema.nullable() })
      .optional(),
    access: z.partialRecord(z.enum(SHARED_FIELDS), z.string()).meta({
      description: 'The fields this app may see of this customer now, each with the consent purpose that allows it.',
    }),
  })
  .meta({
    id: 'Customer',
    description:
      'A customer as this app may see them: a member is absent when the app may not see that field (its purpose not granted), ' +
      'null when the customer has no value. firstName/lastName form the name field, addresses the postalAddress field.',
  });
export type ApiCustomer = z.infer<typeof CustomerSchema>;

export const CustomerListSchema = z
  .object({
    data: z.array(CustomerSchema),
    next: z.string().nullable().meta({
      description: 'The cursor of the next page; null on the last. A full page is followed by one more, maybe empty.',
    }),
  })
  .meta({ id: 'CustomerList' });

export const CustomerConsentsSchema = z
  .object({
    customerId: z.uuid(),
    purposes: z.array(
      z.object({
        purpose: z.string().meta({
          description: 'A purpose this app declared (terms-of-service is the contract, "service" when registering).',
        }),
        granted: z.boolean().meta({ description: "The customer's latest answer; false when never answered." }),
        version: z
          .int()
          .nullable()
          .meta({ description: 'The version of the text answered, null when never answered.' }),
        currentVersion: z.int().meta({
          description: 'The current version of the text; a consent to an older one stands until answered again.',
        }),
        answeredAt: z.iso.datetime().nullable(),
      }),
    ),
  })
  .meta({
    id: 'CustomerConsents',
    description:
      "The customer's answers for the purposes this app declared. A customer who withdrew this app's access is not found (404).",
  });
export type ApiCustomerConsents = z.infer<typeof CustomerConsentsSchema>;

export const SignalSchema = z
  .object({
    id: z.string().meta({ description: 'The signal\u2019s id.' }),
    customerId: z.uuid(),
    type: z.enum(SIGNAL_TYPE_KEYS),
    category: z.string(),
    item: z.string().nullable(),
    occurredAt: z.iso.datetime(),
  })
  .meta({ id: 'Signal', description: 'A recorded signal.' });
export type ApiSignal = z.infer<typeof SignalSchema>;

export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'A URI naming the kind of problem; its explanation is on /docs/api.' }),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().meta({ description: 'The request path.' }),
    errors: z
      .array(
        z.object({
          pointer: z.string().optional().meta({ description: 'JSON pointer (RFC 6901) into the request body.' }),
          parameter: z.string().optional().meta({ description: 'The query parameter or header.' }),
          code: z.string().meta({ description: 'Stable, like firstName.tooLong or unknownField.' }),
          detail: z.string(),
        }),
      )
      .optional(),
    errorId: z.uuid().optional().meta({ description: 'internal-error only: the reference logged on the server.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

export const TokenResponseSchema = z
  .object({
    access_token: z.string().meta({ description: 'A JWT (RFC 9068 profile); treat it as opaque.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.int().meta({ description: 'Seconds.' }),
    scope: z.string(),
  })
  .meta({ id: 'TokenResponse' });

export const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

export const OAuthErrorSchema = z
  .object({ error: z.enum(OAUTH_ERRORS), error_description: z.string().optional() })
  .meta({ id: 'OAuthError', description: 'RFC 6749 section 5.2.' });

// ── Headers ──

export const ETagHeaderSchema = z.string().meta({ description: 'The profile version: "<version>".', example: '"7"' });
export const IfMatchHeaderSchema = z.string().meta({
  description: 'The ETag of the customer as last read. Required: 428 without it, 412 when stale.',
  example: '"7"',
});
export const PreferencesETagHeaderSchema = z
  .string()
  .meta({ description: 'The preferences version: "<version>" ("0" before any).', example: '"3"' });
export const PreferencesIfMatchHeaderSchema = z.string().meta({
  description: 'The ETag of the preferences as last read. Required: 428 without it, 412 when stale.',
  example: '"3"',
});
export const IdempotencyKeyHeaderSchema = z.string().meta({
  description:
    'One operation\u2019s unique key, at most 255 characters, as a structured-field string ("…") or a bare token. A retry with ' +
    'the same key, method, path and body within 24 hours gets the first answer again; the same key with another request is 422.',
  example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
});
export const LocationHeaderSchema = z.string().meta({ description: 'The URL of the recorded signal.' });
export const RetryAfterHeaderSchema = z.string().meta({ description: 'Seconds to wait.', example: '12' });
export const LinkHeaderSchema = z.string().meta({ description: 'rel="next": the next page (RFC 8288).' });

// ── Content (docs/decisions/035-personalization.md §5) ──

export const CustomerContentQuerySchema = z.strictObject({
  slot: z
    .array(z.enum(SLOT_KEYS))
    .optional()
    .meta({ description: `Repeat for each slot wanted (${SLOT_KEYS.join(', ')}); every slot when absent.` }),
  locale: z.enum(locales).optional().meta({ description: 'The language of the texts; en when absent.' }),
});

const ContentBlockSchema = z
  .object({
    block: z.string().meta({ description: 'The block\u2019s key, stable across its revisions.' }),
    revision: z.uuid().meta({ description: 'The revision shown (its texts never change).' }),
    title: z.string(),
    text: z.string().meta({ description: 'Plain text with line breaks: show it as text, never as HTML.' }),
    image: z
      .object({
        url: z.url().meta({ description: 'Immutable: cache it for as long as you like.' }),
        alt: z.string(),
        width: z.int(),
        height: z.int(),
      })
      .nullable(),
    cta: z.object({ label: z.string(), url: z.url() }).nullable(),
  })
  .meta({ id: 'ContentBlock' });

export const CustomerContentSchema = z
  .object({
    customerId: z.uuid(),
    contentVersion: z.int().meta({ description: 'The published content\u2019s version this answer was decided on.' }),
    personalized: z.boolean().meta({
      description:
        'True when the customer\u2019s data chose the blocks. False (generic blocks) for an unknown id, a customer without the ' +
        'personalization consent or who withdrew this app, an app not registered for personalization, and the brand\u2019s holdout: ' +
        'not told apart.',
    }),
    locale: z.enum(locales),
    slots: z.partialRecord(z.enum(SLOT_KEYS), z.array(ContentBlockSchema)).meta({
      description:
        'The blocks of each slot asked for, in display order (hero 1, you-might-like up to 3, cross-sell 1, notice 1).',
    }),
  })
  .meta({ id: 'CustomerContent' });
export type ApiCustomerContent = z.infer<typeof CustomerContentSchema>;

export const ContentETagHeaderSchema = z.string().meta({
  description:
    'Strong: changes with the content, the customer\u2019s consent, preferences and signals, and the locale.',
  example: '"nZ8k0tP1kQ0m3xq7b4yQh2c9wVvS1aLr5eXo6uJ2dFg"',
});
