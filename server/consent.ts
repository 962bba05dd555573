import 'server-only';
import { hmac } from './crypto';
import { prisma, type Tx } from './db';

export const TERMS_PURPOSE = 'terms-of-service';

export type PurposeVersionRef = { key: string; version: number; policyUrl: string };

/** The terms a new customer accepts: the current version of the required purpose. */
export async function getCurrentTerms(): Promise<PurposeVersionRef> {
  const purpose = await prisma.consentPurpose.findUnique({
    where: { key: TERMS_PURPOSE },
    select: { key: true, currentVersion: true, versions: { select: { version: true, policyUrl: true } } },
  });
  const current = purpose?.versions.find((v) => v.version === purpose.currentVersion);
  if (!purpose || !current) throw new Error(`Consent purpose ${TERMS_PURPOSE} is missing: run npm run db:seed`);
  return { key: purpose.key, version: current.version, policyUrl: current.policyUrl };
}

/**
 * A stable pseudonym for the data subject on consent receipts: it survives
 * account erasure and cannot be turned back into the customer id without AUTH_SECRET.
 */
export function subjectPseudonym(customerId: string): string {
  return hmac('consent-subject', customerId);
}

/** Writes one immutable consent receipt in the caller's transaction. */
export async function recordConsent(
  tx: Tx,
  input: { customerId: string; purpose: PurposeVersionRef; granted: boolean; collectionMethod: string; channel: string },
): Promise<void> {
  await tx.consentReceipt.create({
    data: {
      customerId: input.customerId,
      subjectPseudonym: subjectPseudonym(input.customerId),
      purposeKey: input.purpose.key,
      purposeVersion: input.purpose.version,
      policyUrl: input.purpose.policyUrl,
      granted: input.granted,
      collectionMethod: input.collectionMethod,
      channel: input.channel,
      jurisdiction: 'EU',
    },
  });
}
