import { getLocale, getMessages, getTimeZone } from 'next-intl/server';
import type { ReactNode } from 'react';

import { MessagesProvider } from '@/lib/i18n/client';

/** Every section's client components may show a generic error or the rate limit (components/use-action-messages.ts). */
const ALWAYS = ['common'] as const;

/**
 * The message catalogues the client components below need, and only those:
 * every namespace sent is serialized into each page's HTML and RSC payload
 * (npm run bench measured it on /account). A section's layout names its own
 * namespaces; a page without client translations (the root layout's error
 * boundary gets its texts as props) sends none.
 */
export async function ClientMessages({
  namespaces = [],
  children,
}: {
  namespaces?: readonly string[];
  children: ReactNode;
}) {
  const [messages, locale, timeZone] = await Promise.all([getMessages(), getLocale(), getTimeZone()]);
  const picked = Object.fromEntries(
    [...ALWAYS, ...namespaces].filter((ns) => ns in messages).map((ns) => [ns, messages[ns]]),
  );
  return <MessagesProvider value={{ locale, timeZone, messages: picked }}>{children}</MessagesProvider>;
}
