import { isUuid } from '@/lib/uuid';
import { benchRoutesEnabled, getBenchCustomerById } from '@/server/bench';

// The baseline of GET /api/v1/customers/{id} in `npm run bench`: the same
// server, the same customer row by id in one SELECT, as JSON, with no token,
// no consent policy, no access log and no rate limit. Served only when BENCH_ROUTES=1.
export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!benchRoutesEnabled() || !isUuid(id)) return new Response(null, { status: 404 });
  const customer = await getBenchCustomerById(id);
  if (!customer) return new Response(null, { status: 404 });
  return Response.json(customer, { headers: { etag: `"${customer.version}"`, 'cache-control': 'no-store' } });
}
