/**
 * What the personalization specs (preferences, personalization) share: an app of the brand
 * registered for personalization, the customer's grant, and an app's access token.
 */
import { randomBytes } from 'node:crypto';

import { createApp, type AppInput } from '../server/apps/registry';
import { setConsent } from '../server/consent/consent';
import { CONSENT_PURPOSES } from '../server/consent/purposes';
import { applyPersonalizationReferenceData } from '../server/personalization/reference';
import { prisma } from '../server/platform/db';
import { TEST_ACTOR } from '../tests/factories';
import { expect } from './fixtures';

/**
 * Categories and stores, as every start of the app applies them (server/reference-data.ts): the
 * e2e server starts on a migrated database without them. Idempotent, under an advisory lock.
 */
export async function ensurePersonalizationReferenceData(): Promise<void> {
  await applyPersonalizationReferenceData();
}

export type RegisteredApp = { id: string; name: string; clientId: string; clientSecret: string };

/**
 * Registers apps under unique names and removes them when `cleanUp` runs (apps are global to
 * the database: other specs' apps may be listed too).
 */
export function personalizationApps() {
  const ids: string[] = [];
  return {
    /** Reads preferences and signals for personalization unless told otherwise. */
    async register(input: Partial<Omit<AppInput, 'name'>> = {}): Promise<RegisteredApp> {
      const { app, clientSecret } = await createApp(
        {
          description: 'Sells running shoes online.',
          purposes: 'personalization',
          fields: 'preferences:personalization,signals:personalization',
          ...input,
          name: `e2e-shop-${randomBytes(4).toString('hex')}`,
        },
        TEST_ACTOR,
      );
      ids.push(app.id);
      return { id: app.id, name: app.name, clientId: app.clientId, clientSecret };
    },
    async cleanUp(): Promise<void> {
      await prisma.app.deleteMany({ where: { id: { in: ids.splice(0) } } });
    },
  };
}

/** The customer answers the personalization purpose's current text, as on /account/privacy. */
export async function answerPersonalization(customerId: string, granted: boolean): Promise<void> {
  const version = CONSENT_PURPOSES.find((p) => p.key === 'personalization')!.version;
  const result = await setConsent(
    customerId,
    { purposeKey: 'personalization', version, granted },
    { channel: 'portal', collectionMethod: 'test' },
  );
  expect(result.ok).toBe(true);
}

/** A token as any app gets one: client credentials, client_secret_basic. */
export async function appToken(baseURL: string, app: RegisteredApp): Promise<string> {
  const res = await fetch(new URL('/api/oauth/token', baseURL), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}
