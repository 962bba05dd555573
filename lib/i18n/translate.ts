import format, { type CompiledMessage } from 'icu-minify/format';
import { cloneElement, isValidElement, type ReactNode } from 'react';

/**
 * What a client component gets of the catalogues: the namespaces it uses, as
 * next-intl's plugin compiles them at build time (next.config.mjs
 * `precompile`), with the request's locale and time zone.
 * docs/decisions/032-less-javascript-on-customer-pages.md
 */
export type ClientMessages = { locale: string; timeZone: string; messages: Record<string, unknown> };

type Values = Record<string, string | number>;
type RichValues = Record<string, string | number | ((chunks: ReactNode[]) => ReactNode)>;

export type Translator = {
  (key: string, values?: Values): string;
  rich(key: string, values: RichValues): ReactNode;
  has(key: string): boolean;
};

const formatters = {
  getDateTimeFormat: (...args: ConstructorParameters<typeof Intl.DateTimeFormat>) => new Intl.DateTimeFormat(...args),
  getNumberFormat: (...args: ConstructorParameters<typeof Intl.NumberFormat>) => new Intl.NumberFormat(...args),
  getPluralRules: (...args: ConstructorParameters<typeof Intl.PluralRules>) => new Intl.PluralRules(...args),
};

function lookup(messages: Record<string, unknown>, path: string): CompiledMessage | undefined {
  let node: unknown = messages;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || Array.isArray(node) ? (node as CompiledMessage) : undefined;
}

/**
 * next-intl's `t`, `t.rich` and `t.has` over compiled messages, with the
 * formatter next-intl itself uses for them (icu-minify): the same output
 * without next-intl's client runtime. A missing message shows its full key,
 * as next-intl's default fallback does.
 */
export function createTranslator({ locale, timeZone, messages }: ClientMessages, namespace?: string): Translator {
  const full = (key: string) => (namespace ? `${namespace}.${key}` : key);
  const run = (key: string, values: RichValues | undefined) => {
    const message = lookup(messages, full(key));
    if (message === undefined) return full(key);
    return format<ReactNode>(message, locale, values, { formatters, timeZone });
  };
  const t = ((key: string, values?: Values) => {
    const result = run(key, values);
    return typeof result === 'string' ? result : full(key);
  }) as Translator;
  t.rich = (key, values) => {
    // Keys for the elements the tags return, as React wants for an array of them.
    const keyed: RichValues = {};
    for (const [name, value] of Object.entries(values)) {
      let index = 0;
      keyed[name] =
        typeof value === 'function'
          ? (chunks: ReactNode[]) => {
              const element = value(chunks);
              return isValidElement(element) ? cloneElement(element, { key: `${name}${index++}` }) : element;
            }
          : value;
    }
    return run(key, keyed) as ReactNode;
  };
  t.has = (key) => lookup(messages, full(key)) !== undefined;
  return t;
}
