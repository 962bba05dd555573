import type { ActionFailure } from '@/lib/action-result';
import type { ContentError } from '@/server/personalization/content';

const E = 'console.content.history.errors.';

/** The publishing functions' refusals as the console shows them (server/personalization/content.ts). */
export function contentFailure(error: ContentError): ActionFailure {
  if (error.error === 'invalid') return { ok: false, message: `${E}invalid` };
  return {
    ok: false,
    message: `${E}${error.error === 'not-found' || error.error === 'wrong-slot' ? 'notFound' : error.error}`,
  };
}
