import { NextIntlClientProvider } from 'next-intl';
import { getMessages } from 'next-intl/server';
import type { ReactNode } from 'react';

/** Sent to the browser on every page: the error boundary and shared words. */
const ALWAYS = ['common', 'error'] as const;

/**
 * The message catalogues the client components below need, and only those:
 * every namespace sent is serialized into each page's HTML and RSC payload
 * (npm run bench measured it on /account). The root layout sends ALWAYS; a
 * section's layout adds its own namespaces.
 */
export async function ClientMessages({
  namespaces = [],
  children,
}: {
  namespaces?: readonly string[];
  children: ReactNode;
}) {
  const messages = await getMessages();
  const picked = Object.fromEntries(
    [...ALWAYS, ...namespaces].filter((ns) => ns in messages).map((ns) => [ns, messages[ns]]),
  );
  return <NextIntlClientProvider messages={picked}>{children}</NextIntlClientProvider>;
}
