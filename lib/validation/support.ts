// zod/mini, as every form schema that runs in the browser (docs/decisions/009-zod-mini-on-customer-pages.md).
import * as z from 'zod/mini';

// A support agent's reveal of one masked value (issue 16 item 2,
// docs/decisions/036-support-console.md): a reason from this list and the ticket it serves.

/** What an agent may reveal, one at a time (also the field names of the access log). Addresses: one per kind. */
export const REVEAL_FIELDS = ['email', 'phone', 'homeAddress', 'billingAddress', 'shippingAddress'] as const;
export type RevealField = (typeof REVEAL_FIELDS)[number];

export const REVEAL_REASONS = [
  'caller-confirms-value',
  'delivery-problem',
  'billing-problem',
  'account-access',
  'data-correction',
] as const;
export type RevealReason = (typeof REVEAL_REASONS)[number];

export const TICKET_REF_MAX_LENGTH = 100;
/** How long a revealed value stays shown to the agent who revealed it. */
export const REVEAL_WINDOW_MS = 15 * 60 * 1000;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export const RevealSchema = z.object({
  field: z.enum(REVEAL_FIELDS, { error: 'console.support.view.fieldInvalid' }),
  reason: z.enum(REVEAL_REASONS, { error: 'console.support.view.reasonRequired' }),
  ticketRef: z.string({ error: 'console.support.view.ticketRequired' }).check(
    z.trim(),
    z.minLength(1, { error: 'console.support.view.ticketRequired' }),
    z.maxLength(TICKET_REF_MAX_LENGTH, { error: 'console.support.view.ticketTooLong' }),
    z.refine((v) => !CONTROL_CHARACTERS.test(v), { error: 'console.support.view.ticketInvalid' }),
  ),
});
export type RevealInput = { field: RevealField; reason: RevealReason; ticketRef: string };

/**
 * How a support read is described in the customer's access log (its `reason`
 * column): the privacy page parses it back to say it in the customer's language.
 */
export function supportViewReason(caseId: string): string {
  return `case ${caseId.slice(0, 8)}`;
}
export function supportRevealReason(reason: RevealReason, ticketRef: string): string {
  return `reveal ${reason} ticket ${ticketRef}`;
}

export type SupportAccessReason =
  { kind: 'view'; caseRef: string } | { kind: 'reveal'; reason: RevealReason; ticketRef: string };

export function parseSupportReason(reason: string | null): SupportAccessReason | null {
  if (!reason) return null;
  const view = /^case ([0-9a-f]{8})$/.exec(reason);
  if (view) return { kind: 'view', caseRef: view[1]! };
  const reveal = /^reveal ([a-z-]+) ticket (.+)$/s.exec(reason);
  if (reveal && (REVEAL_REASONS as readonly string[]).includes(reveal[1]!))
    return { kind: 'reveal', reason: reveal[1] as RevealReason, ticketRef: reveal[2]! };
  return null;
}
