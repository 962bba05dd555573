// A customer's current consent state (their latest answer per purpose) has one
// definition, the SQL function accord_current_consents (migration
// 20261207090000_one_access_log_writer): the privacy dashboard, the review
// banner, setConsent, the consent policy and the API's consents read use it,
// so none of them can disagree on which answer is the latest.
import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { appReader } from '@/server/apps/registry';
import { countConsentsToReview, listPurposesFor, setConsent } from '@/server/consent/consent';
import { visibleFields } from '@/server/consent/policy';
import { CONSENT_PURPOSES } from '@/server/consent/purposes';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { getConsents, registerApp, tokenFor } from './api-helpers';
import { uniqueEmail } from './helpers';

const HOUR = 60 * 60 * 1000;
const PERSONALIZATION = CONSENT_PURPOSES.find((p) => p.key === 'personalization')!.version;

describe('the current consent state', () => {
  it('is the same latest answer per purpose for the dashboard, the banner, setConsent, the policy and the API', async () => {
    const customer = await createCustomer({ email: uniqueEmail('state') });
    const now = Date.now();
    // PostgreSQL orders uuids as their lower-case text sorts.
    const [low, high] = [randomUUID(), randomUUID()].sort();
    const receipt = (
      purposeKey: string,
      granted: boolean,
      at: number,
      extra: { id?: string; version?: number } = {},
    ) => ({
      id: extra.id,
      customerId: customer.id,
      subjectPseudonym: subjectPseudonym(customer.id),
      purposeKey,
      purposeVersion: extra.version ?? 1,
      granted,
      collectionMethod: 'test',
      channel: 'portal',
      jurisdiction: 'EU',
      policyUrl: '/legal/privacy',
      createdAt: new Date(at),
    });
    await prisma.consentReceipt.createMany({
      data: [
        // Withdrawn after it was granted.
        receipt('marketing-emails', true, now - 2 * HOUR),
        receipt('marketing-emails', false, now - HOUR),
        // Two answers of the same instant: the greater id is the latest.
        receipt('personalization', true, now - HOUR / 2, { id: high, version: PERSONALIZATION }),
        receipt('personalization', false, now - HOUR / 2, { id: low, version: PERSONALIZATION }),
        // Granted for a text older than the current one: in effect, and asked again.
        receipt('analytics', true, now - HOUR, { version: 0 }),
      ],
    });

    const dashboard = Object.fromEntries(
      (await listPurposesFor(customer.id, 'en')).map((p) => [
        p.key,
        { granted: p.state.granted, version: p.state.version, needsReview: p.needsReview },
      ]),
    );
    expect(dashboard).toEqual({
      'terms-of-service': { granted: true, version: 1, needsReview: false },
      'marketing-emails': { granted: false, version: 1, needsReview: false },
      personalization: { granted: true, version: PERSONALIZATION, needsReview: false },
      analytics: { granted: true, version: 0, needsReview: true },
      'partner-sharing': { granted: null, version: null, needsReview: false },
    });
    expect(await countConsentsToReview(customer.id)).toBe(1);
    // The answer setConsent compares with is that latest one: nothing to record.
    expect(
      await setConsent(
        customer.id,
        { purposeKey: 'personalization', version: PERSONALIZATION, granted: true },
        { channel: 'portal', collectionMethod: 'test' },
      ),
    ).toEqual({ ok: true, changed: false });

    const { app } = await registerApp({
      tag: 'state',
      purposes: 'marketing-emails,personalization,analytics,partner-sharing',
      fields: 'name:marketing-emails,email:personalization,phone:analytics,locale:partner-sharing',
      scopes: ['customers:read'],
    });
    expect(await visibleFields(appReader(app), customer.id)).toEqual({ email: 'personalization', phone: 'analytics' });

    const res = await getConsents(await tokenFor(app), customer.id);
    expect(res.status).toBe(200);
    const api = (await res.json()) as {
      purposes: Array<{ purpose: string; granted: boolean; version: number | null }>;
    };
    expect(Object.fromEntries(api.purposes.map((p) => [p.purpose, [p.granted, p.version]]))).toEqual({
      'marketing-emails': [false, 1],
      personalization: [true, PERSONALIZATION],
      analytics: [true, 0],
      'partner-sharing': [false, null],
    });
  });
});
