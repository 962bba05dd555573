'use client';

import { createContext, useContext, useMemo, type ReactNode } from 'react';

import { createTranslator, type ClientMessages, type Translator } from './translate';

// In place of next-intl's NextIntlClientProvider and hooks, which weigh about
// 4 kB gzipped on every page (npm run bench -- --only=js).
// docs/decisions/032-less-javascript-on-customer-pages.md
const MessagesContext = createContext<ClientMessages | null>(null);

/** Set by components/client-messages.tsx, with the namespaces of a section's client components. */
export function MessagesProvider({ value, children }: { value: ClientMessages; children: ReactNode }) {
  return <MessagesContext value={value}>{children}</MessagesContext>;
}

function useClientMessages(): ClientMessages {
  const value = useContext(MessagesContext);
  if (!value) throw new Error('No MessagesProvider above this component: add its namespaces to its section layout');
  return value;
}

/** Like next-intl's useTranslations, for the namespaces the section's layout sent. */
export function useTranslations(namespace?: string): Translator {
  const value = useClientMessages();
  return useMemo(() => createTranslator(value, namespace), [value, namespace]);
}

export function useLocale(): string {
  return useClientMessages().locale;
}
