import { readinessResponse } from '@/server/platform/health';

export const dynamic = 'force-dynamic';

/** Readiness, as /api/health/ready (kept for existing probes: the smoke stage, the bench, e2e). */
export function GET() {
  return readinessResponse();
}
