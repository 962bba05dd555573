import { checkDatabase } from '@/server/platform/health';

export const dynamic = 'force-dynamic';

/** Readiness: 200 when the database answers, 503 otherwise (no details to the client). */
export async function GET() {
  const ok = await checkDatabase();
  return Response.json(
    { status: ok ? 'ok' : 'unavailable' },
    { status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
}
