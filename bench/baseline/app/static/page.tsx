// The bare static page: empty, prerendered at build time, served from the
// prerender cache. Its first-load JavaScript is Next.js and React alone.
export const dynamic = 'force-static';

export default function StaticPage() {
  return <main data-baseline="static" />;
}
