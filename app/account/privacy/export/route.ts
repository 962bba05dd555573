import { buildExport } from '@/server/customers/export';
import { getSignedInCustomer, stepUpRequired } from '@/server/identity/auth';
import { answerOrProblem } from '@/server/platform/errors';

// The customer's data as a JSON download (docs/export-schema.md). Checks the
// session and a recent sign-in itself, like every route handler.

function problem(status: number, title: string, detail: string): Response {
  return Response.json(
    { type: 'about:blank', title, status, detail },
    { status, headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' } },
  );
}

export function GET(request: Request): Promise<Response> {
  return answerOrProblem(request, exportData);
}

async function exportData(): Promise<Response> {
  const customer = await getSignedInCustomer();
  if (!customer || !customer.onboarded) return problem(401, 'Not signed in', 'Sign in to download your data.');
  if (stepUpRequired(customer))
    return problem(
      403,
      'Confirm it is you',
      'Downloading your data needs a recent sign-in: use the button on the privacy page.',
    );
  const data = await buildExport(customer.id);
  if (!data) return problem(404, 'Not found', 'This account no longer exists.');
  const day = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="accord-data-${day}.json"`,
      'Cache-Control': 'no-store',
    },
  });
}
