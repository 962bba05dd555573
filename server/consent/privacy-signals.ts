import 'server-only';

import { headers } from 'next/headers';

import { recordGlobalPrivacyControl } from './consent';

/**
 * Honours the request's `Sec-GPC: 1` for a signed-in customer: the account
 * pages call it on every load (cheap once recorded). A module apart from
 * consent.ts, which also runs outside a request (tests, scripts).
 * https://privacycg.github.io/gpc-spec/
 */
export async function honourGlobalPrivacyControl(customerId: string): Promise<void> {
  const h = await headers();
  if (h.get('sec-gpc')?.trim() !== '1') return;
  await recordGlobalPrivacyControl(customerId, h.get('user-agent') ?? '');
}
