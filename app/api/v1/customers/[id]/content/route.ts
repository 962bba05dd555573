import { getCustomerContent } from '@/server/apps/api/content';
import { answer } from '@/server/apps/api/customers';

type Context = { params: Promise<{ id: string }> };

/** The content chosen for a customer (scope content:read). docs/api.md */
export async function GET(request: Request, { params }: Context) {
  return answer(request, async () => getCustomerContent(request, (await params).id));
}
