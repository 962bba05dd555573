import { answer, getCustomerPreferences } from '@/server/apps/api/customers';

/** The customer's preferences, if this app may see them (scope customers:read). docs/api.md */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return answer(request, async () => getCustomerPreferences(request, (await params).id));
}
