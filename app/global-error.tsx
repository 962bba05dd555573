'use client';

import { errorReference, lastRenderedPage } from '@/components/error-reference';

import './globals.css';

// The root layout itself failed: this page replaces it, without its
// translations. It uses the words of the last page the browser rendered;
// when there was none (the very first page failed), only the reference.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const page = lastRenderedPage();
  const reference = errorReference(page?.requestId ?? null, error.digest);
  return (
    <html lang={page?.lang ?? 'en'}>
      <body className="min-h-dvh bg-page font-sans text-ink antialiased">
        <main id="main" className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 px-4">
          {page ? (
            <>
              <h1 className="text-3xl font-bold">{page.texts.title}</h1>
              <p className="text-muted">{page.texts.body}</p>
              {reference && <p className="text-sm text-muted">{page.texts.reference.replace('\u0000', reference)}</p>}
              <div>
                <button type="button" className="rounded bg-brand px-4 py-2 font-medium text-on-brand" onClick={reset}>
                  {page.texts.retry}
                </button>
              </div>
            </>
          ) : (
            <h1 className="text-3xl font-bold">500{reference ? ` · ${reference}` : ''}</h1>
          )}
        </main>
      </body>
    </html>
  );
}
