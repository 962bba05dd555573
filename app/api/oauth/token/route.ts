import { answer } from '@/server/apps/api/customers';
import { handleTokenRequest } from '@/server/apps/oauth';

/** OAuth 2.0 client credentials (RFC 6749 section 4.4) for the brand's apps. docs/api.md */
export async function POST(request: Request) {
  return answer(request, () => handleTokenRequest(request));
}
