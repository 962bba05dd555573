import { getCustomer } from '../../../db';

// The bare route handler: a customer's row by id in one SELECT, as JSON with
// an ETag, like GET /api/v1/customers/{id} without its token, consent policy,
// access log or rate limit.
export const dynamic = 'force-dynamic';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const row = UUID.test(id) ? await getCustomer(id) : null;
  if (!row) return new Response(null, { status: 404 });
  return Response.json(
    {
      id: row.id,
      version: row.version,
      updatedAt: row.updated_at,
      firstName: row.first_name,
      lastName: row.last_name,
      email: row.email,
      emailVerified: row.email_verified,
    },
    { headers: { etag: `"${row.version}"`, 'cache-control': 'no-store' } },
  );
}
