import type { Metadata } from 'next';

// The benchmark's static baseline (scripts/bench.ts): an empty page under the
// root layout, prerendered at build time. The root layout reads cookies and
// headers (next-intl's locale), which makes every other page dynamic;
// force-static makes those reads return empty values here, so this page is
// built once, in the default locale, and served from the prerender cache.
// It renders nothing and reads nothing, so it is harmless in production too
// (a build-time page cannot check BENCH_ROUTES, which is read at run time).
export const dynamic = 'force-static';

export const metadata: Metadata = { robots: { index: false, follow: false } };

export default function BenchStaticPage() {
  return <main id="main" data-bench="static" />;
}
