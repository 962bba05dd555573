// A customer's preferences as written (docs/decisions/035-personalization.md §1): the portal's
// form and PUT /api/v1/customers/{id}/preferences (a full replacement). Values are keys of the
// reference data: categories and stores are checked against the database by the write path
// (server/personalization/preferences.ts), sizes and channels here. Errors are message keys
// under preferences.errors.
import * as z from 'zod/mini';

import { CHANNELS, SIZE_SYSTEMS } from '@/lib/personalization/catalogue';

const E = 'preferences.errors.';
const KEY = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const PREFERENCE_LIMITS = { interests: 30 } as const;

export const PreferencesInputSchema = z.strictObject({
  interests: z
    .array(z.string({ error: `${E}interest` }).check(z.regex(KEY, { error: `${E}interest` })), {
      error: `${E}interests`,
    })
    .check(z.maxLength(PREFERENCE_LIMITS.interests, { error: `${E}interests` })),
  favouriteStore: z.nullable(z.string({ error: `${E}store` }).check(z.regex(KEY, { error: `${E}store` }))),
  sizes: z.strictObject({
    clothing: z.nullable(z.enum(SIZE_SYSTEMS.clothing, { error: `${E}size` })),
    shoes: z.nullable(z.enum(SIZE_SYSTEMS.shoes, { error: `${E}size` })),
  }),
  channels: z.array(z.enum(CHANNELS, { error: `${E}channel` }), { error: `${E}channels` }),
});
export type PreferencesInput = z.infer<typeof PreferencesInputSchema>;
