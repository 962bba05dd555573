import { readImage } from '@/server/personalization/images';

export const dynamic = 'force-dynamic';

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });

/**
 * A content image, public like the pages' other assets: `<sha256>.webp` names its bytes, so a
 * name never changes content and caches may keep it a year (docs/decisions/035-personalization.md §4).
 */
export async function GET(_request: Request, { params }: { params: Promise<{ name: string }> }) {
  const bytes = await readImage((await params).name);
  if (!bytes) return notFound();
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': 'image/webp',
      'Content-Length': String(bytes.length),
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
