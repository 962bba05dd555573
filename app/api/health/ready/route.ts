import { readinessResponse } from '@/server/platform/health';

export const dynamic = 'force-dynamic';

/** Readiness: 200 when the database answers and every migration is applied; 503 once stopping. */
export function GET() {
  return readinessResponse();
}
