import { getLogger } from '@/server/platform/log';
import { collectDatabaseGauges, getMetrics, metricsAccess } from '@/server/platform/metrics';

export const dynamic = 'force-dynamic';

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });

/** Prometheus metrics, for a scraper holding METRICS_TOKEN. docs/deployment.md, "Metrics" */
export async function GET(request: Request) {
  const access = metricsAccess(request.headers.get('authorization'));
  if (access === null) return plain(404, 'Not found');
  if (access === 'denied')
    return plain(401, 'Send Authorization: Bearer <METRICS_TOKEN>', { 'WWW-Authenticate': 'Bearer' });
  const metrics = getMetrics();
  try {
    await collectDatabaseGauges(metrics);
  } catch (error) {
    // The process's own counters still answer; the database gauges keep their last values.
    getLogger().warn(
      { component: 'metrics' },
      `database gauges not read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return plain(200, await metrics.registry.metrics(), { 'Content-Type': metrics.registry.contentType });
}
