import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { benchRoutesEnabled, getBenchSessionFirstName } from '@/server/bench';
import { readSessionToken } from '@/server/platform/cookies';

// The benchmark's minimal dynamic page (scripts/bench.ts): read the session
// cookie, one single-row SELECT, render one value. The floor of any
// server-rendered, signed-in page here. Served only when BENCH_ROUTES=1.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { robots: { index: false, follow: false } };

export default async function BenchDynamicPage() {
  if (!benchRoutesEnabled()) notFound();
  const token = await readSessionToken();
  const firstName = await getBenchSessionFirstName(token);
  return (
    <main id="main" data-bench="dynamic">
      {firstName}
    </main>
  );
}
