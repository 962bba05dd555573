import { answer, getCustomerConsents } from '@/server/apps/api/customers';

/** The customer's answers for the purposes this app declared (scope customers:read). docs/api.md */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return answer(request, async () => getCustomerConsents(request, (await params).id));
}
