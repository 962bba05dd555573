'use client';

import { useTranslations } from 'next-intl';
import { createContext, useContext, useEffect, type ReactNode } from 'react';

// The id of the request that rendered the page (X-Request-Id, the errorId of
// its log lines), for error pages to show to the customer. docs/deployment.md, "Errors"

const RequestIdContext = createContext<string | null>(null);

type GlobalErrorTexts = { title: string; body: string; retry: string; reference: string };
// For app/global-error.tsx, which replaces the root layout and its providers:
// what the last rendered page knew, kept in the browser only (effects never
// run on the server, where a module is shared by every request).
let lastPage: { requestId: string | null; lang: string; texts: GlobalErrorTexts } | null = null;

export function RequestIdProvider({
  requestId,
  lang,
  children,
}: {
  requestId: string | null;
  lang: string;
  children: ReactNode;
}) {
  const t = useTranslations();
  const texts = {
    title: t('error.title'),
    body: t('common.genericError'),
    retry: t('error.retry'),
    // Filled in by global-error with the reference it shows.
    reference: t('error.reference', { id: '\u0000' }),
  };
  useEffect(() => {
    lastPage = { requestId, lang, texts };
  });
  return <RequestIdContext value={requestId}>{children}</RequestIdContext>;
}

/** The reference a customer quotes: the request id, and Next's digest of a server error (also on its log line). */
export function errorReference(requestId: string | null, digest: string | undefined): string | null {
  return [requestId, digest].filter(Boolean).join(' · ') || null;
}

export function ErrorReference({ digest }: { digest?: string }) {
  const t = useTranslations('error');
  const reference = errorReference(useContext(RequestIdContext), digest);
  if (!reference) return null;
  return <p className="text-sm text-muted">{t('reference', { id: reference })}</p>;
}

export function lastRenderedPage() {
  return lastPage;
}
