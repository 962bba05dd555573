import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';

import { brand } from '@/lib/brand';

import { localeCookie } from './config';
import { negotiateLocale } from './negotiate';

export default getRequestConfig(async () => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale(cookieStore.get(localeCookie)?.value, headerStore.get('accept-language'));
  return {
    locale,
    // Fixed, so next-intl does not resolve the server's zone on every request;
    // dates are shown in the brand's home zone (lib/brand.ts).
    timeZone: brand.timeZone,
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
