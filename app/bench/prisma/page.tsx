import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { benchRoutesEnabled, getBenchSessionFirstNameViaPrisma } from '@/server/bench';
import { readSessionToken } from '@/server/platform/cookies';

// The minimal dynamic page with the session read through Prisma the way Auth.js's
// adapter reads it (scripts/bench.ts --breakdown). Served only when BENCH_ROUTES=1.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { robots: { index: false, follow: false } };

export default async function BenchPrismaPage() {
  if (!benchRoutesEnabled()) notFound();
  const token = await readSessionToken();
  const firstName = await getBenchSessionFirstNameViaPrisma(token);
  return (
    <main id="main" data-bench="prisma">
      {firstName}
    </main>
  );
}
