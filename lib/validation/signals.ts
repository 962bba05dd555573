// A behaviour signal as the one write path takes it (server/personalization/signals.ts):
// the apps' API maps its event types to these kinds (SIGNAL_TYPES). Errors are
// stable codes; the API explains them in English. The time bounds depend on the
// clock and SIGNAL_RETENTION_DAYS, so the write path checks them.
// docs/decisions/035-personalization.md §1
import * as z from 'zod/mini';

import { SIGNAL_KINDS } from '@/lib/personalization/catalogue';

export const SIGNAL_ITEM_MAX_LENGTH = 64;
/** How far ahead of our clock an app's occurredAt may be (clocks disagree a little). */
export const SIGNAL_FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

const KEY = /^[a-z0-9][a-z0-9-]{0,31}$/;
// An opaque reference shown to the customer as text: control and bidi characters are a mistake or a probe.
const UNSAFE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

export const RecordSignalSchema = z.strictObject({
  kind: z.enum(SIGNAL_KINDS, { error: 'signal.kind' }),
  category: z.string({ error: 'signal.category' }).check(z.regex(KEY, { error: 'signal.category' })),
  item: z.optional(
    z.nullable(
      z.string({ error: 'signal.item' }).check(
        z.minLength(1, { error: 'signal.item' }),
        z.maxLength(SIGNAL_ITEM_MAX_LENGTH, { error: 'signal.item' }),
        z.refine((v) => !UNSAFE.test(v), { error: 'signal.item' }),
      ),
    ),
  ),
  occurredAt: z.optional(z.date({ error: 'signal.occurredAt' })),
});
export type RecordSignalInputParsed = z.infer<typeof RecordSignalSchema>;
