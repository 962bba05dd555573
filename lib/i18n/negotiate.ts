import Negotiator from 'negotiator';

import { defaultLocale, isLocale, locales, type Locale } from './config';

/** The locale for a request: the saved choice (cookie) first, then Accept-Language. */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  if (!acceptLanguage) return defaultLocale;
  // Negotiator matches "fr-CA" to "fr" only when asked for the base language too.
  const base = acceptLanguage.replace(/([a-z]{2})-[A-Za-z]{2,}/g, '$&,$1');
  const [best] = new Negotiator({ headers: { 'accept-language': base } }).languages([...locales]);
  return isLocale(best) ? best : defaultLocale;
}
