import 'server-only';

import { brand } from '@/lib/brand';
import { getEnv } from '@/server/platform/env';

/** The relying party: its id is APP_URL's host name (an IP address cannot be one), its origin APP_URL's origin. */
export function relyingParty(): { id: string; name: string; origin: string } {
  const url = new URL(getEnv().APP_URL);
  return { id: url.hostname, name: brand.name, origin: url.origin };
}
