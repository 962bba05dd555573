import { answer } from '@/server/apps/api/customers';
import { getCustomerPreferences } from '@/server/apps/api/preferences';

/** The customer's preferences, if this app may see them (scope customers:read). docs/api.md */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return answer(request, async () => getCustomerPreferences(request, (await params).id));
}
