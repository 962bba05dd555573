import { answer, getCustomerPreferences } from '@/server/apps/api/customers';
import { putPreferences } from '@/server/apps/api/preferences-write';

type Context = { params: Promise<{ id: string }> };

/** The customer's preferences, if this app may see them (scope customers:read). docs/api.md */
export async function GET(request: Request, { params }: Context) {
  return answer(request, async () => getCustomerPreferences(request, (await params).id));
}

/** A full replacement of the customer's preferences, If-Match required (scope preferences:write). docs/api.md */
export async function PUT(request: Request, { params }: Context) {
  return answer(request, async () => putPreferences(request, (await params).id));
}
