import { describe, expect, it } from 'vitest';

import { listDataAccess, recordDataAccess } from '@/server/consent/access-log';
import {
  countConsentsToReview,
  getKantaraReceipt,
  listOptOuts,
  listPurposesFor,
  publishPurposeVersion,
  recordGlobalPrivacyControl,
  setConsent,
} from '@/server/consent/consent';
import { ensureConsentPurposes } from '@/server/consent/purposes';
import { subjectPseudonym } from '@/server/platform/crypto';
import { prisma } from '@/server/platform/db';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';

const dashboard = { channel: 'portal', collectionMethod: 'privacy-dashboard' };
const events = (customerId: string) =>
  prisma.outboxEvent.findMany({ where: { customerId }, orderBy: { id: 'asc' }, select: { type: true, payload: true } });

describe('consent dashboard', () => {
  it('grants and withdraws: one immutable receipt and exactly one consent.updated event each', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    expect(
      await setConsent(customer.id, { purposeKey: 'marketing-emails', version: 1, granted: true }, dashboard),
    ).toEqual({ ok: true, changed: true });
    expect(
      await setConsent(customer.id, { purposeKey: 'marketing-emails', version: 1, granted: true }, dashboard),
    ).toEqual({ ok: true, changed: false });
    expect(
      await setConsent(customer.id, { purposeKey: 'marketing-emails', version: 1, granted: false }, dashboard),
    ).toEqual({ ok: true, changed: true });
    const receipts = await prisma.consentReceipt.findMany({
      where: { customerId: customer.id, purposeKey: 'marketing-emails' },
      orderBy: { createdAt: 'asc' },
    });
    expect(receipts.map((r) => r.granted)).toEqual([true, false]);
    expect(receipts[0]).toMatchObject({
      purposeVersion: 1,
      channel: 'portal',
      collectionMethod: 'privacy-dashboard',
      jurisdiction: 'EU',
      policyUrl: '/legal/privacy#marketing',
    });
    expect((await events(customer.id)).map((e) => [e.type, (e.payload as { granted: boolean }).granted])).toEqual([
      ['consent.updated', true],
      ['consent.updated', false],
    ]);
    const marketing = (await listPurposesFor(customer.id, 'fr')).find((p) => p.key === 'marketing-emails')!;
    expect(marketing).toMatchObject({
      title: 'E-mails commerciaux',
      state: { granted: false, version: 1 },
      needsReview: false,
    });
  });

  it('refuses, writing nothing: the required purpose withdrawn, an unknown purpose, an outdated text', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    expect(
      await setConsent(customer.id, { purposeKey: 'terms-of-service', version: 1, granted: false }, dashboard),
    ).toEqual({ ok: false, reason: 'required' });
    expect(
      await setConsent(customer.id, { purposeKey: 'no-such-purpose', version: 1, granted: true }, dashboard),
    ).toEqual({ ok: false, reason: 'unknown-purpose' });
    expect(await setConsent(customer.id, { purposeKey: 'analytics', version: 7, granted: true }, dashboard)).toEqual({
      ok: false,
      reason: 'version-changed',
    });
    expect(await events(customer.id)).toEqual([]);
    expect(await prisma.consentReceipt.count({ where: { customerId: customer.id } })).toBe(1); // the terms, at creation
  });

  it('asks again after a new version of a granted text; the old consent covers the old version until then', async () => {
    await ensureConsentPurposes();
    const key = `test-purpose-${Date.now()}`;
    await prisma.consentPurpose.create({
      data: {
        key,
        legalBasis: 'consent',
        currentVersion: 1,
        sortOrder: 99,
        versions: {
          create: {
            version: 1,
            titleEn: 'Test v1',
            titleFr: 'Test v1',
            textEn: 'one',
            textFr: 'un',
            policyUrl: '/legal/privacy',
          },
        },
      },
    });
    const customer = await createCustomer({ email: uniqueEmail() });
    await setConsent(customer.id, { purposeKey: key, version: 1, granted: true }, dashboard);
    expect(await countConsentsToReview(customer.id)).toBe(0);
    expect(
      await publishPurposeVersion(key, {
        titleEn: 'Test v2',
        titleFr: 'Test v2',
        textEn: 'two',
        textFr: 'deux',
        policyUrl: '/legal/privacy',
      }),
    ).toEqual({ version: 2 });
    const view = (await listPurposesFor(customer.id, 'en')).find((p) => p.key === key)!;
    expect(view).toMatchObject({
      currentVersion: 2,
      text: 'two',
      state: { granted: true, version: 1 },
      needsReview: true,
    });
    expect(await countConsentsToReview(customer.id)).toBe(1);
    expect(await setConsent(customer.id, { purposeKey: key, version: 1, granted: true }, dashboard)).toEqual({
      ok: false,
      reason: 'version-changed',
    });
    await setConsent(customer.id, { purposeKey: key, version: 2, granted: true }, dashboard);
    expect(await countConsentsToReview(customer.id)).toBe(0);
  });

  it('downloads a receipt as a Kantara consent receipt, only for its own customer', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    const other = await createCustomer({ email: uniqueEmail() });
    await setConsent(customer.id, { purposeKey: 'partner-sharing', version: 1, granted: true }, dashboard);
    const receipt = await prisma.consentReceipt.findFirstOrThrow({
      where: { customerId: customer.id, purposeKey: 'partner-sharing' },
    });
    const kantara = await getKantaraReceipt(customer.id, receipt.id);
    expect(kantara).toMatchObject({
      version: 'KI-CR-v1.1.0',
      jurisdiction: 'EU',
      collectionMethod: 'privacy-dashboard',
      consentReceiptID: receipt.id,
      piiPrincipalId: subjectPseudonym(customer.id),
      piiControllers: [{ piiController: 'Accord' }],
      services: [{ purposes: [{ purpose: 'Sharing with partners', thirdPartyDisclosure: true }] }],
      accord: { purposeKey: 'partner-sharing', purposeVersion: 1, granted: true, channel: 'portal' },
    });
    expect(kantara!.policyUrl).toMatch(/^https?:\/\/.+\/legal\/privacy#partners$/);
    expect(await getKantaraReceipt(other.id, receipt.id)).toBeNull();
    expect(await getKantaraReceipt(customer.id, 'not-a-uuid')).toBeNull();
  });

  it('Global Privacy Control: records the opt-out once, withdraws sale and sharing, with its source', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    await setConsent(customer.id, { purposeKey: 'partner-sharing', version: 1, granted: true }, dashboard);
    const results = await Promise.all([1, 2, 3].map(() => recordGlobalPrivacyControl(customer.id, 'Firefox')));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await listOptOuts(customer.id)).toEqual([
      { kind: 'sale-sharing', source: 'global-privacy-control', createdAt: expect.any(Date) },
    ]);
    const latest = await prisma.consentReceipt.findFirstOrThrow({
      where: { customerId: customer.id, purposeKey: 'partner-sharing' },
      orderBy: { createdAt: 'desc' },
    });
    expect(latest).toMatchObject({ granted: false, collectionMethod: 'global-privacy-control', jurisdiction: 'US-CA' });
    expect((await events(customer.id)).map((e) => e.type)).toEqual(['consent.updated', 'consent.updated']);
  });

  it('logs reads by others through one function, newest first', async () => {
    const customer = await createCustomer({ email: uniqueEmail() });
    expect(await listDataAccess(customer.id)).toEqual([]);
    await recordDataAccess(prisma, [
      {
        customerId: customer.id,
        accessor: { type: 'app', id: 'shop', name: 'Shop' },
        fields: ['email', 'firstName', 'email'],
        purpose: 'marketing-emails',
      },
      {
        customerId: customer.id,
        accessor: { type: 'staff', id: 's-1', name: 'Support: Jo' },
        fields: ['phone'],
        purpose: 'support',
        reason: 'Ticket 42',
      },
    ]);
    const log = await listDataAccess(customer.id);
    expect(log.map((l) => [l.accessorName, l.fields, l.reason])).toEqual([
      ['Support: Jo', ['phone'], 'Ticket 42'],
      ['Shop', ['email', 'firstName'], null],
    ]);
  });
});
