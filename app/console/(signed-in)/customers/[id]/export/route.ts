import { fieldErrorsFrom } from '@/lib/action-result';
import { ExportCustomerSchema } from '@/lib/validation/data-request';
import { answerOrProblem } from '@/server/platform/errors';
import { requirePermission } from '@/server/staff/auth';
import { exportCustomer } from '@/server/staff/data-requests';

// A privacy officer downloads the customer's own export (server/customers/export.ts).
// POST: the reason travels in the body, and proxy.ts refuses a foreign Origin.

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return Response.json(
    { type: 'about:blank', title, status, detail, ...extra },
    { status, headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' } },
  );
}

/** The form's fields as JSON or as a form post; anything else is no fields at all. */
async function bodyOf(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  try {
    if (type.startsWith('application/json')) return await request.json();
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))
      return Object.fromEntries(await request.formData());
  } catch {
    // A body that does not parse: the schema refuses it below.
  }
  return null;
}

export function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return answerOrProblem(request, async () => {
    const actor = await requirePermission('customer.export');
    const { id } = await params;
    const parsed = ExportCustomerSchema.safeParse(await bodyOf(request));
    if (!parsed.success)
      return problem(400, 'Invalid request', 'Give the reason for this export.', {
        fieldErrors: fieldErrorsFrom(parsed.error.issues),
      });
    const result = await exportCustomer(actor, id, parsed.data);
    if (!result.ok) return problem(404, 'Not found', 'This customer no longer exists.');
    const day = new Date().toISOString().slice(0, 10);
    return new Response(JSON.stringify(result.data, null, 2), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="accord-data-${day}.json"`,
        'Cache-Control': 'no-store',
      },
    });
  });
}
