import type { ConflictValue } from '@/lib/action-result';

/** "Royaume-Uni" for GB, in the page's language (the browser's and Node's own data). */
export function countryName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * A profile value as text, for the history and for conflicts: phones
 * formatted, languages named, addresses on one line.
 */
export function describeValue(
  field: string,
  value: ConflictValue | undefined,
  opts: {
    locale: string;
    notSet: string;
    languageName: (code: string) => string;
    formatPhone?: (e164: string) => string;
  },
): string {
  if (value === null || value === undefined || value === '') return opts.notSet;
  if (typeof value !== 'string') return addressLines(value, opts.locale).join(', ');
  // The server formats phones (the browser has no phone metadata).
  if (field === 'phone') return opts.formatPhone ? opts.formatPhone(value) : value;
  if (field === 'locale') return opts.languageName(value);
  return value;
}

/** An address as the post writes it, line by line. */
export function addressLines(a: Record<string, string | null>, locale: string): string[] {
  const town = a.country === 'GB' ? [a.city, a.postalCode] : [a.postalCode, a.city];
  return [a.line1, a.line2, town.filter(Boolean).join(' '), a.country ? countryName(a.country, locale) : null].filter(
    (l): l is string => Boolean(l),
  );
}
