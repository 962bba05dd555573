import { answer } from '@/server/apps/api/customers';
import { postSignal } from '@/server/apps/api/signals';

type Context = { params: Promise<{ id: string }> };

/** One behaviour signal, Idempotency-Key required (scope signals:write). docs/api.md */
export async function POST(request: Request, { params }: Context) {
  return answer(request, async () => postSignal(request, (await params).id));
}
