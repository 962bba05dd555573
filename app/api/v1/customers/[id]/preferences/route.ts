import { answer } from '@/server/apps/api/customers';
import { putPreferences } from '@/server/apps/api/preferences-write';

type Context = { params: Promise<{ id: string }> };

/** A full replacement of the customer's preferences, If-Match required (scope preferences:write). docs/api.md */
export async function PUT(request: Request, { params }: Context) {
  return answer(request, async () => putPreferences(request, (await params).id));
}
