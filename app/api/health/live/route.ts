export const dynamic = 'force-dynamic';

/** Liveness: the process answers. Never touches the database, so a database outage does not restart every instance. */
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
