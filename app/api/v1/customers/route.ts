import { answer, listCustomers } from '@/server/apps/api/customers';

/** A page of customers, or the one with ?email=… (scope customers:read). docs/api.md */
export async function GET(request: Request) {
  return answer(request, () => listCustomers(request));
}
