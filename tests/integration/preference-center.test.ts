// What the preference center reads beside the customer's values (server/personalization/preference-center.ts):
// the pickers' reference data, retired entries flagged, and whether the personalization grant is in effect.
import { randomBytes } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { recordConsent } from '@/server/consent/consent';
import { CONSENT_PURPOSES } from '@/server/consent/purposes';
import { getPreferenceOptions, hasPersonalizationGrant } from '@/server/personalization/preference-center';
import { applyPersonalizationReferenceData } from '@/server/personalization/reference';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { answerPersonalization } from './personalization-writes-helpers';

beforeAll(async () => {
  await applyPersonalizationReferenceData();
});

describe('getPreferenceOptions', () => {
  it('lists categories and stores in their order and language, retired ones flagged', async () => {
    const retired = `retired-${randomBytes(3).toString('hex')}`;
    await prisma.category.create({
      data: { key: retired, labelEn: 'Old', labelFr: 'Ancien', sortOrder: 999, retiredAt: new Date() },
    });
    // Other files of this worker share the database: the extra category goes afterwards.
    try {
      const fr = await getPreferenceOptions('fr');
      expect(fr.categories[0]).toEqual({ key: 'running', label: 'Course à pied', retired: false });
      expect(fr.categories.find((c) => c.key === retired)).toEqual({ key: retired, label: 'Ancien', retired: true });
      expect(fr.stores[0]).toEqual({ key: 'paris-rivoli', label: 'Paris Rivoli (Paris)', retired: false });
      expect((await getPreferenceOptions('en')).categories[0]!.label).toBe('Running');
    } finally {
      await prisma.category.delete({ where: { key: retired } });
    }
  });
});

describe('hasPersonalizationGrant', () => {
  it('follows the latest answer, whatever the text version it was given for', async () => {
    const { id } = await createCustomer({ email: uniqueEmail('grant') });
    expect(await hasPersonalizationGrant(id)).toBe(false);
    await answerPersonalization(id, true);
    expect(await hasPersonalizationGrant(id)).toBe(true);
    await answerPersonalization(id, false);
    expect(await hasPersonalizationGrant(id)).toBe(false);

    // A grant of the first text stays in effect until the customer answers the new one (ADR 012).
    const current = CONSENT_PURPOSES.find((p) => p.key === 'personalization')!.version;
    expect(current).toBeGreaterThan(1);
    await prisma.$transaction((tx) =>
      recordConsent(tx, {
        customerId: id,
        purpose: { key: 'personalization', version: 1, policyUrl: '/legal/privacy#personalization' },
        granted: true,
        collectionMethod: 'test',
        channel: 'portal',
      }),
    );
    expect(await hasPersonalizationGrant(id)).toBe(true);
    // Another customer's grant says nothing about this one.
    const other = await createCustomer({ email: uniqueEmail('grant-other') });
    expect(await hasPersonalizationGrant(other.id)).toBe(false);
  });
});
