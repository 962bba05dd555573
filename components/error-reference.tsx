'use client';

import { createContext, useContext, useEffect, type ReactNode } from 'react';

// The id of the request that rendered the page (X-Request-Id, the errorId of
// its log lines), for error pages to show to the customer, with their words:
// the root layout translates them on the server, so no page loads a message
// formatter for its error boundary. docs/deployment.md, "Errors"

/** `reference` has a \u0000 where the reference goes. */
export type ErrorTexts = { title: string; body: string; retry: string; reference: string };

const ErrorPageContext = createContext<{ requestId: string | null; texts: ErrorTexts } | null>(null);

// For app/global-error.tsx, which replaces the root layout and its providers:
// what the last rendered page knew, kept in the browser only (effects never
// run on the server, where a module is shared by every request).
let lastPage: { requestId: string | null; lang: string; texts: ErrorTexts } | null = null;

export function RequestIdProvider({
  requestId,
  lang,
  texts,
  children,
}: {
  requestId: string | null;
  lang: string;
  texts: ErrorTexts;
  children: ReactNode;
}) {
  useEffect(() => {
    lastPage = { requestId, lang, texts };
  });
  return <ErrorPageContext value={{ requestId, texts }}>{children}</ErrorPageContext>;
}

/** The error page's words, in the language of the page it replaces. */
export function useErrorTexts(): ErrorTexts {
  const value = useContext(ErrorPageContext);
  if (!value) throw new Error('RequestIdProvider (app/layout.tsx) is missing');
  return value.texts;
}

/** The reference a customer quotes: the request id, and Next's digest of a server error (also on its log line). */
export function errorReference(requestId: string | null, digest: string | undefined): string | null {
  return [requestId, digest].filter(Boolean).join(' · ') || null;
}

export function ErrorReference({ digest }: { digest?: string }) {
  const value = useContext(ErrorPageContext);
  const reference = errorReference(value?.requestId ?? null, digest);
  if (!reference || !value) return null;
  return <p className="text-sm text-muted">{value.texts.reference.replace('\u0000', reference)}</p>;
}

export function lastRenderedPage() {
  return lastPage;
}
