import 'server-only';

// CONTRACT STUB (owner: rules engineer). docs/decisions/035-personalization.md §5 step 3:
// one named statement decides visibility through the one consent policy (accord_visible_fields),
// reads only the attribute groups asked for, and logs the read (accord_record_access).
import type { Attributes } from '@/lib/personalization/catalogue';
import type { Reader } from '@/server/consent/policy';
import type { Tx } from '@/server/platform/db';

export type AttributeGroup = 'profile' | 'preferences' | 'signals';

export type LoadedAttributes = {
  contentVersion: number;
  /** The personalization grant is in effect for this reader (the policy's answer). */
  granted: boolean;
  /** null when not granted: nothing was read, nothing logged. */
  attributes: Attributes | null;
  preferencesVersion: number;
  signalsVersion: number;
  /** The receipt that decided the grant (an input of the decision's ETag). */
  consentReceiptId: string | null;
  /** App ids the customer withdrew (their signals did not count). */
  withdrawnApps: string[];
};

/**
 * reader 'portal': the site's own decision (accessor type personalization, id portal); otherwise an
 * app's or a staff member's Reader. `reason` is logged ("home page", "content decision", "preview").
 * Returns null for an unknown customer. Runs in `db` when given (a preview's transaction).
 */
export async function loadAttributes(args: {
  customerId: string;
  reader: 'portal' | Reader;
  groups: AttributeGroup[];
  now: Date;
  reason: string;
  db?: Tx;
}): Promise<LoadedAttributes | null> {
  throw new Error(`not built yet: loadAttributes(${args.customerId}, ${args.groups})`);
}
