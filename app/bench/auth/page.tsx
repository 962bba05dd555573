import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { benchRoutesEnabled } from '@/server/bench';
import { getSignedInCustomer } from '@/server/identity/auth';

// The minimal dynamic page with the session read by Auth.js's auth(), as every
// customer page does (scripts/bench.ts --breakdown). Served only when BENCH_ROUTES=1.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { robots: { index: false, follow: false } };

export default async function BenchAuthPage() {
  if (!benchRoutesEnabled()) notFound();
  const customer = await getSignedInCustomer();
  return (
    <main id="main" data-bench="auth">
      {customer?.firstName}
    </main>
  );
}
