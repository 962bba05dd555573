import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';
import { localeCookie } from './config';
import { negotiateLocale } from './negotiate';

export default getRequestConfig(async () => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale(cookieStore.get(localeCookie)?.value, headerStore.get('accept-language'));
  return {
    locale,
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
