import { isUuid } from '@/lib/uuid';
import { answerOrProblem } from '@/server/platform/errors';
import { auditStaffAccessView, streamStaffAccessCsv } from '@/server/staff/audit-query';
import { requirePermission } from '@/server/staff/auth';

// All staff access to one customer as CSV, for a data-subject request (docs/support.md).

export function GET(request: Request): Promise<Response> {
  return answerOrProblem(request, () => exportStaffAccess(request));
}

async function exportStaffAccess(request: Request): Promise<Response> {
  const actor = await requirePermission('audit.view');
  const id = new URL(request.url).searchParams.getAll('id');
  if (id.length !== 1 || !isUuid(id[0]!))
    return Response.json(
      {
        type: 'about:blank',
        title: 'Invalid customer',
        status: 400,
        detail: 'Find the customer by email on the page, then download.',
      },
      { status: 400, headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' } },
    );
  const customerId = id[0]!.toLowerCase();
  const exportId = await auditStaffAccessView(actor.audit, customerId, 'csv');
  const day = new Date().toISOString().slice(0, 10);
  return new Response(streamStaffAccessCsv(customerId, exportId), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="accord-staff-access-${day}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
