'use client';

import { ErrorReference, useErrorTexts } from '@/components/error-reference';
import { Button } from '@/components/ui/button';

// Shown instead of a stack trace; the error itself is logged on the server
// (instrumentation.ts onRequestError) with the reference shown here.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const texts = useErrorTexts();
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 px-4">
      <h1 className="text-3xl font-bold">{texts.title}</h1>
      <p className="text-muted">{texts.body}</p>
      <ErrorReference digest={error.digest} />
      <div>
        <Button onClick={reset}>{texts.retry}</Button>
      </div>
    </main>
  );
}
