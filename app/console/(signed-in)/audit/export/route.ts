import { answerOrProblem } from '@/server/platform/errors';
import {
  auditFilterParams,
  auditTheExport,
  exceedsExportLimit,
  parseAuditQuery,
  streamAuditCsv,
} from '@/server/staff/audit-query';
import { requirePermission } from '@/server/staff/auth';

// The audit page's rows as CSV, with the page's filters (docs/decisions/033-staff-console.md §5).

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return Response.json(
    { type: 'about:blank', title, status, detail, ...extra },
    { status, headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' } },
  );
}

export function GET(request: Request): Promise<Response> {
  return answerOrProblem(request, () => exportAudit(request));
}

async function exportAudit(request: Request): Promise<Response> {
  const actor = await requirePermission('audit.view');
  const query = parseAuditQuery(new URL(request.url).searchParams);
  if (!query.ok)
    return problem(400, 'Invalid filters', 'Correct the filters on the audit page, then download again.', {
      fields: Object.keys(query.fieldErrors),
    });
  if (await exceedsExportLimit(query.filters)) {
    // Back to the page, which says so: a file cut short would look complete.
    const params = auditFilterParams(query.filters);
    params.set('csv', 'too-large');
    return new Response(null, { status: 303, headers: { Location: `/console/audit?${params.toString()}` } });
  }
  const exportId = await auditTheExport(actor.audit, query.filters);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(streamAuditCsv(query.filters, exportId), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="accord-audit-${day}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
