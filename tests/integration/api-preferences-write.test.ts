import { randomUUID } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { setAppAccess } from '@/server/consent/app-access';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { getOwnPreferences } from '@/server/personalization/preferences';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { createCustomer } from '@/tests/factories';

import { problemOf, registerApp, tokenFor } from './api-helpers';
import { uniqueEmail } from './helpers';
import { answerPersonalization, preferenceTrace, putPreferences } from './personalization-writes-helpers';

const BODY = {
  interests: ['running', 'trail'],
  favouriteStore: 'paris-rivoli',
  sizes: { clothing: 'M', shoes: '42' },
  channels: ['email', 'push'],
};

let app: Awaited<ReturnType<typeof registerApp>>['app'];
let token: string;

beforeAll(async () => {
  await ensureConsentPurposes();
  await applyPersonalizationReferenceData();
  ({ app } = await registerApp({
    tag: 'prefs',
    purposes: 'service,personalization',
    fields: 'name:service,preferences:personalization',
    scopes: ['customers:read', 'preferences:write'],
  }));
  token = await tokenFor(app);
});

async function grantedCustomer() {
  const { id } = await createCustomer({ email: uniqueEmail('api-prefs') });
  await answerPersonalization(id, true);
  return id;
}

describe('PUT /api/v1/customers/{id}/preferences', () => {
  it("replaces the preferences as the app's, answers 204 with the new ETag, then 412 on the old one", async () => {
    const id = await grantedCustomer();
    const res = await putPreferences(token, id, BODY, { ifMatch: '"0"' });
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe('"1"');
    const prefs = await getOwnPreferences(id);
    expect(prefs).toMatchObject({
      version: 1,
      favouriteStore: { value: 'paris-rivoli', channel: app.name },
      sizes: { clothing: { value: 'M', channel: app.name }, shoes: { value: '42', channel: app.name } },
    });
    expect(prefs.interests.map((v) => v.value).sort()).toEqual(['running', 'trail']);

    const before = await preferenceTrace(id);
    const stale = await putPreferences(token, id, { ...BODY, interests: [] }, { ifMatch: '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"1"');
    expect((await problemOf(stale)).type).toMatch(/#problem-precondition-failed$/);
    expect(await preferenceTrace(id)).toEqual(before);
  });

  it('requires If-Match (428), refuses * and a malformed one, writing nothing', async () => {
    const id = await grantedCustomer();
    for (const [ifMatch, status] of [
      [undefined, 428],
      ['*', 428],
      ['W/"0"', 400],
    ] as const) {
      const res = await putPreferences(token, id, BODY, ifMatch === undefined ? {} : { ifMatch });
      expect(res.status, String(ifMatch)).toBe(status);
      await problemOf(res);
    }
    expect(await preferenceTrace(id)).toEqual({ values: 0, history: 0, events: 0, version: 0 });
  });

  it('refuses unknown values with JSON pointers (422), bad JSON (400), other types (415), over 16 KiB (413): nothing written', async () => {
    const id = await grantedCustomer();
    const unknown = await putPreferences(
      token,
      id,
      { ...BODY, interests: ['running', 'curling'], favouriteStore: 'atlantis' },
      { ifMatch: '"0"' },
    );
    expect(unknown.status).toBe(422);
    expect((await problemOf(unknown)).errors).toEqual([
      { pointer: '/interests/1', code: 'preferences.errors.interest', detail: expect.any(String) },
      { pointer: '/favouriteStore', code: 'preferences.errors.store', detail: expect.any(String) },
    ]);

    const badSize = await putPreferences(
      token,
      id,
      { ...BODY, sizes: { clothing: 'XXXL', shoes: null } },
      { ifMatch: '"0"' },
    );
    expect(badSize.status).toBe(422);
    expect((await problemOf(badSize)).errors).toEqual([
      { pointer: '/sizes/clothing', code: 'preferences.errors.size', detail: expect.stringContaining('XS') },
    ]);

    const missingMember = await putPreferences(token, id, { interests: [] }, { ifMatch: '"0"' });
    expect(missingMember.status).toBe(422);
    const extra = await putPreferences(token, id, { ...BODY, locale: 'fr' }, { ifMatch: '"0"' });
    expect((await problemOf(extra)).errors).toEqual([
      expect.objectContaining({ pointer: '/locale', code: 'unknownField' }),
    ]);

    const badJson = await putPreferences(token, id, null, { ifMatch: '"0"', raw: '{"interests": [' });
    expect(badJson.status).toBe(400);
    expect((await problemOf(badJson)).type).toMatch(/#problem-malformed-request$/);
    expect((await putPreferences(token, id, BODY, { ifMatch: '"0"', contentType: 'text/plain' })).status).toBe(415);
    const big = await putPreferences(token, id, null, {
      ifMatch: '"0"',
      raw: JSON.stringify({ ...BODY, padding: 'x'.repeat(16 * 1024) }),
    });
    expect(big.status).toBe(413);
    await problemOf(big);
    expect(await preferenceTrace(id)).toEqual({ values: 0, history: 0, events: 0, version: 0 });
  });

  it('is 404 for an unknown customer or one the app sees nothing of, 403 when the preferences field is not visible', async () => {
    expect((await putPreferences(token, randomUUID(), BODY, { ifMatch: '"0"' })).status).toBe(404);
    expect((await putPreferences(token, 'not-an-id', BODY, { ifMatch: '"0"' })).status).toBe(404);

    // Sees the name (service), but personalization is not granted: the preferences are not visible.
    const { id: notGranted } = await createCustomer({ email: uniqueEmail('api-prefs') });
    const refused = await putPreferences(token, notGranted, BODY, { ifMatch: '"0"' });
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/#problem-field-not-writable$/);
    expect(await preferenceTrace(notGranted)).toEqual({ values: 0, history: 0, events: 0, version: 0 });

    // Withdrawn: the app sees nothing of the customer, who is not found for it.
    const withdrawn = await grantedCustomer();
    await setAppAccess(withdrawn, app.id, false);
    const gone = await putPreferences(token, withdrawn, BODY, { ifMatch: '"0"' });
    expect(gone.status).toBe(404);
    expect(await preferenceTrace(withdrawn)).toEqual({ values: 0, history: 0, events: 0, version: 0 });
  });

  it('needs the preferences:write scope', async () => {
    const id = await grantedCustomer();
    const res = await putPreferences(await tokenFor(app, ['customers:read']), id, BODY, { ifMatch: '"0"' });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).type).toMatch(/#problem-insufficient-scope$/);
  });

  it('replays a retry with the same Idempotency-Key, and refuses the key with another body (422)', async () => {
    const id = await grantedCustomer();
    const key = randomUUID();
    const first = await putPreferences(token, id, BODY, { ifMatch: '"0"', idempotencyKey: `"${key}"` });
    expect(first.status).toBe(204);
    // The retry's If-Match is stale now, yet it gets the first answer: it is the same operation.
    const retry = await putPreferences(token, id, BODY, { ifMatch: '"0"', idempotencyKey: `"${key}"` });
    expect(retry.status).toBe(204);
    expect(retry.headers.get('etag')).toBe('"1"');
    const before = await preferenceTrace(id);
    const reused = await putPreferences(token, id, { ...BODY, interests: [] }, { ifMatch: '"1"', idempotencyKey: key });
    expect(reused.status).toBe(422);
    expect((await problemOf(reused)).type).toMatch(/#problem-idempotency-key-reused$/);
    expect(await preferenceTrace(id)).toEqual(before);
  });
});
