// The preference center's forms (app/account/preferences). zod/mini: they run in the browser
// (docs/decisions/009-zod-mini-on-customer-pages.md). The values themselves are checked by
// lib/validation/preferences.ts, the schema the one write path re-checks.
import * as z from 'zod/mini';

import { CHANNELS, SIZE_SYSTEMS } from '@/lib/personalization/catalogue';

import { PREFERENCE_LIMITS, PreferencesInputSchema } from './preferences';

export {
  formFieldOf,
  PREFERENCES_FORM_FIELDS,
  preferencesFromForm,
  type PreferencesFormValues,
} from './preference-center-fields';

const E = 'preferences.errors.';
const KEY = /^[a-z0-9][a-z0-9-]{0,31}$/;
const none = z.literal('');

/** The form as the browser holds it: a select's "none" is the empty string. */
export const PreferencesFormSchema = z.strictObject({
  interests: z
    .array(z.string({ error: `${E}interest` }).check(z.regex(KEY, { error: `${E}interest` })), {
      error: `${E}interests`,
    })
    .check(z.maxLength(PREFERENCE_LIMITS.interests, { error: `${E}interests` })),
  favouriteStore: z.union([none, z.string().check(z.regex(KEY))], { error: `${E}store` }),
  sizeClothing: z.union([none, z.enum(SIZE_SYSTEMS.clothing)], { error: `${E}size` }),
  sizeShoes: z.union([none, z.enum(SIZE_SYSTEMS.shoes)], { error: `${E}size` }),
  channels: z.array(z.enum(CHANNELS, { error: `${E}channel` }), { error: `${E}channels` }),
});
/** What the save action receives: the full replacement and the version the page was loaded at. */
export const SavePreferencesSchema = z.strictObject({
  values: PreferencesInputSchema,
  version: z.int().check(z.gte(0)),
});

/** Signal ids are bigserials, sent as strings. */
export const SIGNAL_DELETE_MAX = 100;
export const DeleteSignalsSchema = z.union([
  z.strictObject({
    ids: z.array(z.string().check(z.regex(/^[1-9][0-9]{0,17}$/))).check(z.minLength(1), z.maxLength(SIGNAL_DELETE_MAX)),
  }),
  z.strictObject({ all: z.literal(true) }),
]);
