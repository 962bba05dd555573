import { describe, expect, it } from 'vitest';

import { brand } from '@/lib/brand';
import { DATA_CONTROLLERS, SALE_AND_SHARING_PURPOSES, toKantara } from '@/server/consent/consent';

// A stored consent receipt as a Kantara Consent Receipt v1.1
// (docs/decisions/012-consent-receipts-versions-and-gpc.md). Reading the rows
// is tested in tests/integration/consent-dashboard.test.ts; this is the mapping.

// Read once, at the first getEnv() call (server/platform/env.ts).
process.env.APP_URL = 'https://accounts.example';

const receipt = {
  id: '7d0f5b7e-3c1a-4f0e-9a51-6a8c2b1e4d90',
  subjectPseudonym: 'c0ffee',
  purposeKey: 'marketing-emails',
  purposeVersion: 2,
  granted: true,
  collectionMethod: 'privacy-dashboard',
  channel: 'portal',
  jurisdiction: 'EU',
  policyUrl: '/legal/privacy',
  createdAt: new Date('2026-11-20T10:11:12.999Z'),
};
const text = {
  titleEn: 'Marketing emails',
  titleFr: 'E-mails marketing',
  textEn: 'We send you offers.',
  textFr: 'Nous vous envoyons des offres.',
  publishedAt: new Date('2026-11-01T00:00:00Z'),
};
const consent = { legalBasis: 'consent', required: false };

describe('toKantara', () => {
  it('maps a consent answer to the Kantara v1.1 fields', () => {
    const kantara = toKantara(receipt, text, consent);
    expect(kantara).toMatchObject({
      version: 'KI-CR-v1.1.0',
      jurisdiction: 'EU',
      // Seconds since the epoch, rounded down.
      consentTimestamp: 1_795_169_472,
      collectionMethod: 'privacy-dashboard',
      consentReceiptID: receipt.id,
      language: 'en',
      // The pseudonym, never the customer id: it survives account deletion.
      piiPrincipalId: 'c0ffee',
      policyUrl: 'https://accounts.example/legal/privacy',
      sensitive: false,
      spiCat: [],
    });
    expect(kantara.consentTimestamp).toBe(Math.floor(receipt.createdAt.getTime() / 1000));
    expect(JSON.stringify(kantara)).not.toContain('customerId');
  });

  it('names the controller in force when the receipt was written, with absolute URLs', () => {
    expect(toKantara(receipt, text, consent).piiControllers).toEqual([
      {
        piiController: brand.name,
        contact: brand.supportEmail,
        email: brand.supportEmail,
        piiControllerUrl: `https://accounts.example${brand.privacyUrl}`,
      },
    ]);
    // A receipt older than the first entry still names a controller.
    const early = toKantara(
      { ...receipt, createdAt: new Date(Date.parse(DATA_CONTROLLERS[0]!.validFrom) - 1) },
      text,
      consent,
    );
    expect(early.piiControllers[0]!.piiController).toBe(DATA_CONTROLLERS[0]!.name);
  });

  it('keeps an absolute policy URL as it is', () => {
    const kantara = toKantara({ ...receipt, policyUrl: 'https://brand.example/privacy-v2' }, text, consent);
    expect(kantara.policyUrl).toBe('https://brand.example/privacy-v2');
  });

  it('describes an optional consent purpose: explicit, withdrawable, with the data it uses', () => {
    const [purpose] = toKantara(receipt, text, consent).services[0]!.purposes;
    expect(purpose).toEqual({
      purpose: 'Marketing emails',
      purposeCategory: ['marketing-emails'],
      consentType: 'EXPLICIT',
      piiCategory: ['first name', 'email address'],
      primaryPurpose: false,
      termination: 'When withdrawn on the privacy dashboard, at any time',
      thirdPartyDisclosure: false,
    });
  });

  it('describes the required contract: implicit, primary, ending with the account', () => {
    const terms = toKantara(
      { ...receipt, purposeKey: 'terms-of-service' },
      { ...text, titleEn: 'Terms of service' },
      { legalBasis: 'contract', required: true },
    );
    expect(terms.services[0]!.purposes[0]).toMatchObject({
      consentType: 'IMPLICIT',
      primaryPurpose: true,
      termination: 'When the account is deleted',
      thirdPartyDisclosure: false,
    });
  });

  it('marks sale or sharing purposes as a third-party disclosure', () => {
    for (const key of SALE_AND_SHARING_PURPOSES) {
      const purpose = toKantara({ ...receipt, purposeKey: key }, text, consent).services[0]!.purposes[0]!;
      expect(purpose.thirdPartyDisclosure).toBe(true);
      expect(purpose.piiCategory.length).toBeGreaterThan(0);
    }
  });

  it("keeps Accord's own block: the answer, the channel and the exact text in both languages", () => {
    expect(toKantara({ ...receipt, granted: false }, text, consent).accord).toEqual({
      purposeKey: 'marketing-emails',
      purposeVersion: 2,
      granted: false,
      channel: 'portal',
      legalBasis: 'consent',
      text: {
        en: { title: 'Marketing emails', text: 'We send you offers.' },
        fr: { title: 'E-mails marketing', text: 'Nous vous envoyons des offres.' },
        publishedAt: '2026-11-01T00:00:00.000Z',
      },
    });
  });

  it('still produces a receipt when the text or the purpose is gone', () => {
    const bare = toKantara({ ...receipt, purposeKey: 'retired-purpose' }, null, null);
    expect(bare.services[0]!.purposes[0]).toMatchObject({
      purpose: 'retired-purpose',
      consentType: 'IMPLICIT',
      piiCategory: [],
      primaryPurpose: false,
    });
    expect(bare.accord).toMatchObject({ legalBasis: null, text: null });
  });
});
