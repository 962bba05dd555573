import { answer } from '@/server/apps/api/customers';
import { getOpenApiDocument } from '@/server/apps/api/openapi';

// Built from the runtime APP_URL (its servers and token URL), not at build time.
export const dynamic = 'force-dynamic';

/** The OpenAPI 3.1 document of the apps' API; public, rendered at /docs/api. */
export async function GET(request: Request) {
  return answer(request, async () =>
    Response.json(getOpenApiDocument(), {
      headers: { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
    }),
  );
}
