import 'server-only';

import { isLocale } from '@/lib/i18n/config';
import { SLOT_KEYS, type Slot } from '@/lib/personalization/catalogue';
import type { Decision } from '@/lib/personalization/decision';
import { appReader } from '@/server/apps/registry';
import { decide } from '@/server/personalization/decide';
import { countImpressions } from '@/server/personalization/stats';
import { getEnv } from '@/server/platform/env';

import { authenticateApp } from '../oauth';
import { json, requestPath } from './http';
import { problem, type ProblemFieldError } from './problem';
import { CustomerIdSchema, type ApiCustomerContent } from './schemas';

// GET /api/v1/customers/{id}/content: the home page's decision for the brand's other apps
// (scope content:read). An unknown customer, one without the grant, one who withdrew this app
// and an app not registered for personalization all get the generic blocks, never told apart.
// docs/decisions/035-personalization.md §5

/** A path of this site, as an app can follow it. */
function absolute(url: string): string {
  return url.startsWith('/') ? `${getEnv().APP_URL}${url}` : url;
}

function toApiContent(decision: Decision): ApiCustomerContent {
  const slots: ApiCustomerContent['slots'] = {};
  for (const [slot, blocks] of Object.entries(decision.slots)) {
    slots[slot as Slot] = (blocks ?? []).map((b) => ({
      block: b.key,
      revision: b.revisionId,
      title: b.title,
      text: b.text,
      image: b.image && { ...b.image, url: absolute(b.image.url) },
      cta: b.cta && { label: b.cta.label, url: absolute(b.cta.url) },
    }));
  }
  return {
    customerId: decision.customerId,
    contentVersion: decision.contentVersion,
    personalized: decision.mode === 'personalized',
    locale: decision.locale,
    slots,
  };
}

type Query = { slots: Slot[]; locale: 'en' | 'fr' };

function parseQuery(url: URL): { ok: true; query: Query } | { ok: false; errors: ProblemFieldError[] } {
  const errors: ProblemFieldError[] = [];
  for (const name of new Set(url.searchParams.keys())) {
    if (name !== 'slot' && name !== 'locale') {
      errors.push({
        parameter: name,
        code: 'parameter.unknown',
        detail: `${name} is not a parameter of this request.`,
      });
    }
  }
  const slots = url.searchParams.getAll('slot');
  for (const slot of new Set(slots)) {
    if (!(SLOT_KEYS as string[]).includes(slot)) {
      errors.push({
        parameter: 'slot',
        code: 'slot.unknown',
        detail: `${JSON.stringify(slot).slice(0, 80)} is not a slot: one of ${SLOT_KEYS.join(', ')}.`,
      });
    }
  }
  const locales = url.searchParams.getAll('locale');
  if (locales.length > 1) {
    errors.push({ parameter: 'locale', code: 'parameter.repeated', detail: 'locale is given more than once.' });
  } else if (locales.length === 1 && !isLocale(locales[0])) {
    errors.push({ parameter: 'locale', code: 'locale.unknown', detail: 'locale is en or fr.' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    query: {
      slots: slots.length === 0 ? SLOT_KEYS : SLOT_KEYS.filter((s) => slots.includes(s)),
      locale: locales[0] === 'fr' ? 'fr' : 'en',
    },
  };
}

/** If-None-Match (RFC 9110 §13.1.2): a list of entity tags or *, compared weakly. */
function noneMatch(header: string | null, tag: string): boolean {
  if (header === null) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => opaque(t) === opaque(tag));
}

export async function getCustomerContent(request: Request, id: string): Promise<Response> {
  const auth = await authenticateApp(request, 'content:read');
  if (!auth.ok) return auth.response;
  const instance = requestPath(request);
  const parsed = parseQuery(new URL(request.url));
  if (!parsed.ok) {
    return problem('malformed-request', { instance, detail: 'A query parameter is not valid.', errors: parsed.errors });
  }
  // Not an id at all: no customer could have it (an unknown id gets generic content below).
  if (!CustomerIdSchema.safeParse(id).success) return problem('not-found', { instance });
  const decision = await decide({
    customerId: id.toLowerCase(),
    locale: parsed.query.locale,
    slots: parsed.query.slots,
    via: { kind: 'app', reader: appReader(auth.app) },
  });
  // The app shows what it asked for, revalidated or not.
  countImpressions(decision, auth.app.name);
  const headers = { ETag: decision.etag, 'Cache-Control': 'private, no-cache' };
  if (noneMatch(request.headers.get('if-none-match'), decision.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return json(toApiContent(decision), { headers });
}
