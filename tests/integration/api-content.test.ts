import { randomUUID } from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';

import { GET as contentRoute } from '@/app/api/v1/customers/[id]/content/route';
import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { flushContentStats } from '@/server/personalization/stats';
import { prisma } from '@/server/platform/db';
import { getEnv } from '@/server/platform/env';
import { createCustomer } from '@/tests/factories';

import { ORIGIN, registerApp, tokenFor } from './api-helpers';
import {
  accessLogCount,
  addPreference,
  answerPersonalization,
  publishBlock,
  resetContent,
  storeTestImage,
} from './decision-helpers';
import { uniqueEmail } from './helpers';

const RUNNING = { interests: { $in: ['running'] } };

function getContent(token: string | null, id: string, query = '', headers: Record<string, string> = {}) {
  return contentRoute(
    new Request(`${ORIGIN}/api/v1/customers/${encodeURIComponent(id)}/content${query}`, {
      headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...headers },
    }),
    { params: Promise.resolve({ id }) },
  );
}

/** An app registered for personalization (preferences and signals used for it). */
async function personalizingApp(tag = 'content') {
  const { app } = await registerApp({
    tag,
    purposes: 'service,personalization',
    fields: 'name:service,preferences:personalization,signals:personalization,locale:personalization',
    scopes: ['customers:read', 'content:read'],
  });
  return { app, token: await tokenFor(app) };
}

async function runner() {
  const customer = await createCustomer({ email: uniqueEmail('api-content') });
  await addPreference(customer.id, 'interest', 'running');
  await answerPersonalization(customer.id, true);
  return customer;
}

let targeted: Awaited<ReturnType<typeof publishBlock>>;
let generic: Awaited<ReturnType<typeof publishBlock>>;
let image: string;

beforeEach(async () => {
  await ensureConsentPurposes();
  await resetContent();
  image = await storeTestImage(800, 400);
  targeted = await publishBlock('hero', {
    tag: 'running',
    generic: false,
    rule: RUNNING,
    priority: 100,
    image: { id: image, alt: { en: 'A runner', fr: 'Une coureuse' } },
    cta: { label: { en: 'Shop running', fr: 'Course à pied' }, url: '/shop/running' },
  });
  generic = await publishBlock('hero', { tag: 'everyone', cta: null });
});

describe('GET /api/v1/customers/{id}/content', () => {
  it('personalizes for a customer who granted it, to an app registered for it, and logs the read', async () => {
    const { app, token } = await personalizingApp();
    const customer = await runner();
    const before = await accessLogCount(customer.id);
    const res = await getContent(token, customer.id, '?slot=hero&locale=fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const body = await res.json();
    expect(body).toEqual({
      customerId: customer.id,
      contentVersion: expect.any(Number),
      personalized: true,
      locale: 'fr',
      slots: {
        hero: [
          {
            block: targeted.key,
            revision: targeted.revisionId,
            title: `titre ${targeted.key}`,
            text: `texte ${targeted.key}`,
            image: {
              url: `${getEnv().APP_URL}/api/content-images/${image}.webp`,
              alt: 'Une coureuse',
              width: 800,
              height: 400,
            },
            // The stored URL, made absolute: never the portal's click-counting link.
            cta: { label: 'Course à pied', url: `${getEnv().APP_URL}/shop/running` },
          },
        ],
      },
    });
    // No "why": it would show the app data it may not see.
    expect(JSON.stringify(body)).not.toContain('interests');
    expect(await accessLogCount(customer.id)).toBe(before + 1);
    const row = await prisma.dataAccessLog.findFirstOrThrow({
      where: { customerId: customer.id },
      orderBy: { occurredAt: 'desc' },
    });
    expect(row).toMatchObject({ accessorType: 'app', accessorId: app.clientId });
    // Counted as an impression of the app's channel.
    await flushContentStats();
    const stats = await prisma.$queryRaw<Array<{ channel: string; group: string; impressions: number }>>`
      SELECT channel, "group", impressions::int FROM content_stats WHERE revision_id = ${targeted.revisionId}::uuid`;
    expect(stats).toEqual([{ channel: app.name, group: 'personalized', impressions: 1 }]);
  });

  it('answers 304 to If-None-Match while nothing changed, 200 with a new ETag after a change', async () => {
    const { token } = await personalizingApp();
    const customer = await runner();
    const first = await getContent(token, customer.id);
    const tag = first.headers.get('etag')!;
    const again = await getContent(token, customer.id, '', { 'If-None-Match': tag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.headers.get('cache-control')).toBe('private, no-cache');
    expect(await again.text()).toBe('');
    expect((await getContent(token, customer.id, '', { 'If-None-Match': `"other", W/${tag}` })).status).toBe(304);
    // Another locale is another answer.
    expect((await getContent(token, customer.id, '?locale=fr', { 'If-None-Match': tag })).status).toBe(200);
    // The customer withdraws the grant: generic content, another ETag.
    await answerPersonalization(customer.id, false);
    const after = await getContent(token, customer.id, '', { 'If-None-Match': tag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(tag);
    expect((await after.json()).personalized).toBe(false);
  });

  it('gives the generic blocks, alike, to unknown customers, refusals, withdrawn apps and apps not registered for it', async () => {
    const { app, token } = await personalizingApp();
    const refused = await createCustomer({ email: uniqueEmail('api-content') });
    await answerPersonalization(refused.id, false);
    const withdrawn = await runner();
    expect((await setAppAccess(withdrawn.id, app.id, false)).ok).toBe(true);
    const other = await registerApp({ tag: 'service-only', fields: 'name', scopes: ['content:read'] });
    const otherToken = await tokenFor(other.app);
    const granted = await runner();

    const answers = await Promise.all([
      getContent(token, randomUUID()),
      getContent(token, refused.id),
      getContent(token, withdrawn.id),
      getContent(otherToken, granted.id),
    ]);
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, ...(await r.json()) })));
    for (const body of bodies) {
      expect(body).toMatchObject({ status: 200, personalized: false });
      expect(body.slots.hero.map((b: { block: string }) => b.block)).toEqual([generic.key]);
      expect(body.slots).toEqual(bodies[0]!.slots);
    }
    expect(new Set(answers.map((r) => r.headers.get('etag'))).size).toBe(1);
    // Nothing was read of them, so nothing is logged.
    expect(await accessLogCount(refused.id)).toBe(0);
    expect(await accessLogCount(granted.id)).toBe(0);
  });

  it('refuses an unknown slot, locale or parameter with a 400 problem, reading nothing', async () => {
    const { token } = await personalizingApp();
    const customer = await runner();
    for (const [query, parameter, code] of [
      ['?slot=footer', 'slot', 'slot.unknown'],
      ['?slot=hero&slot=%3Cscript%3E', 'slot', 'slot.unknown'],
      ['?locale=de', 'locale', 'locale.unknown'],
      ['?locale=en&locale=fr', 'locale', 'parameter.repeated'],
      ['?lang=fr', 'lang', 'parameter.unknown'],
    ] as const) {
      const res = await getContent(token, customer.id, query);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).errors).toEqual([expect.objectContaining({ parameter, code })]);
    }
    expect(await accessLogCount(customer.id)).toBe(0);
    // Slots asked for only, in display order.
    await publishBlock('notice', { tag: 'notice' });
    const some = await (await getContent(token, customer.id, '?slot=notice&slot=hero&slot=notice')).json();
    expect(Object.keys(some.slots)).toEqual(['hero', 'notice']);
  });

  it('checks the token and the scope first, and answers 404 to what is not an id', async () => {
    const { token } = await personalizingApp();
    expect((await getContent(null, randomUUID())).status).toBe(401);
    const readOnly = await registerApp({ tag: 'no-content', scopes: ['customers:read'] });
    const res = await getContent(await tokenFor(readOnly.app), randomUUID());
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('content:read');
    expect((await getContent(token, 'not-an-id')).status).toBe(404);
  });
});
