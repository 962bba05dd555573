import { expect } from 'vitest';

import { setConsent } from '@/server/consent/consent';
import { prisma } from '@/server/platform/db';

/** The customer answers the personalization purpose's current text, as on /account/privacy. */
export async function answerPersonalization(customerId: string, granted: boolean): Promise<void> {
  const purpose = await prisma.consentPurpose.findUniqueOrThrow({
    where: { key: 'personalization' },
    select: { currentVersion: true },
  });
  const result = await setConsent(
    customerId,
    { purposeKey: 'personalization', version: purpose.currentVersion, granted },
    { channel: 'portal', collectionMethod: 'test' },
  );
  expect(result.ok).toBe(true);
}

/** What a signal write leaves behind for a customer. */
export const signalTrace = async (customerId: string) => ({
  signals: await prisma.customerSignal.count({ where: { customerId } }),
  events: await prisma.outboxEvent.count({ where: { customerId, type: { startsWith: 'customer.signal' } } }),
  version:
    (await prisma.personalizationState.findUnique({ where: { customerId }, select: { signalsVersion: true } }))
      ?.signalsVersion ?? 0,
});

/** What a preferences write leaves behind for a customer. */
export const preferenceTrace = async (customerId: string) => ({
  values: await prisma.customerPreference.count({ where: { customerId } }),
  history: await prisma.preferenceChange.count({ where: { customerId } }),
  events: await prisma.outboxEvent.count({ where: { customerId, type: 'customer.preferences_updated' } }),
  version:
    (await prisma.personalizationState.findUnique({ where: { customerId }, select: { preferencesVersion: true } }))
      ?.preferencesVersion ?? 0,
});

const ORIGIN = 'http://localhost:3000';

export type WriteOptions = {
  ifMatch?: string;
  idempotencyKey?: string;
  contentType?: string | null;
  raw?: string;
};

function writeRequest(method: string, path: string, token: string | null, body: unknown, opts: WriteOptions) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  if (opts.ifMatch !== undefined) headers['If-Match'] = opts.ifMatch;
  if (opts.idempotencyKey !== undefined) headers['Idempotency-Key'] = opts.idempotencyKey;
  return new Request(`${ORIGIN}${path}`, { method, headers, body: opts.raw ?? JSON.stringify(body) });
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });

export async function putPreferences(token: string | null, id: string, body: unknown, opts: WriteOptions = {}) {
  const { PUT } = await import('@/app/api/v1/customers/[id]/preferences/route');
  return PUT(
    writeRequest('PUT', `/api/v1/customers/${encodeURIComponent(id)}/preferences`, token, body, opts),
    params(id),
  );
}

export async function postSignal(token: string | null, id: string, body: unknown, opts: WriteOptions = {}) {
  const { POST } = await import('@/app/api/v1/customers/[id]/signals/route');
  return POST(
    writeRequest('POST', `/api/v1/customers/${encodeURIComponent(id)}/signals`, token, body, opts),
    params(id),
  );
}
