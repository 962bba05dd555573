import { answer, getCustomer, patchCustomer } from '@/server/apps/api/customers';

type Context = { params: Promise<{ id: string }> };

/** A customer as this app may see them (scope customers:read). docs/api.md */
export async function GET(request: Request, { params }: Context) {
  return answer(request, async () => getCustomer(request, (await params).id));
}

/** A change of profile fields, If-Match required (scope customers:write). docs/api.md */
export async function PATCH(request: Request, { params }: Context) {
  return answer(request, async () => patchCustomer(request, (await params).id));
}
