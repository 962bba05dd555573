import Negotiator from 'negotiator';

import { defaultLocale, isLocale, locales, type Locale } from './config';

/** The locale for a request: the saved choice (cookie) first, then Accept-Language. */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  if (!acceptLanguage) return defaultLocale;
  // Negotiator ranks an exact "en" above "fr-CA" matched to "fr" at the same
  // q-value: name the base language right after each regional tag (tags are
  // case-insensitive, "FR-ca" included).
  const base = acceptLanguage.replace(/([a-z]{2})-[a-z]{2,}/gi, '$&,$1');
  const [best] = new Negotiator({ headers: { 'accept-language': base } }).languages([...locales]);
  return isLocale(best) ? best : defaultLocale;
}
