import 'server-only';

// CONTRACT STUB (owner: decision engineer). docs/decisions/035-personalization.md §5
import type { Slot } from '@/lib/personalization/catalogue';
import type { Decision } from '@/lib/personalization/decision';
import type { Reader } from '@/server/consent/policy';
import type { Tx } from '@/server/platform/db';

import type { ContentSet } from './content';

export type Via =
  /** The customer's own home page (accessor type personalization, id portal). */
  | { kind: 'portal' }
  /** The decision API: an app registered with the personalization purpose. */
  | { kind: 'app'; reader: Reader }
  /** A staff preview, in the caller's transaction (with its audit row); content: drafts to try. */
  | { kind: 'preview'; reader: Reader; tx: Tx; content?: ContentSet };

export async function decide(args: {
  customerId: string;
  locale: 'en' | 'fr';
  slots?: Slot[];
  via: Via;
  now?: Date;
  explain?: boolean;
}): Promise<Decision> {
  throw new Error(`not built yet: decide(${args.customerId}, ${args.via.kind})`);
}
