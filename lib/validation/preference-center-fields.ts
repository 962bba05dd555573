// What the preference center's form uses before its schema loads (components/lazy-zod-resolver.ts):
// no zod here, so the page does not load it with the form (docs/decisions/032).
import type { Channel, SIZE_SYSTEMS } from '@/lib/personalization/catalogue';

import type { PreferencesInput } from './preferences';

/** The form as the browser holds it: a select's "none" is the empty string (lib/validation/preference-center.ts checks it). */
export type PreferencesFormValues = {
  interests: string[];
  favouriteStore: string;
  sizeClothing: '' | (typeof SIZE_SYSTEMS.clothing)[number];
  sizeShoes: '' | (typeof SIZE_SYSTEMS.shoes)[number];
  channels: Channel[];
};

export const PREFERENCES_FORM_FIELDS = [
  'interests',
  'favouriteStore',
  'sizeClothing',
  'sizeShoes',
  'channels',
] as const;

export function preferencesFromForm(v: PreferencesFormValues): PreferencesInput {
  return {
    interests: v.interests,
    favouriteStore: v.favouriteStore || null,
    sizes: { clothing: v.sizeClothing || null, shoes: v.sizeShoes || null },
    channels: v.channels,
  };
}

/** "sizes.clothing", "/sizes/clothing" or ["sizes", "clothing"]: the form field it belongs to. */
export function formFieldOf(
  path: string | ReadonlyArray<PropertyKey>,
): (typeof PREFERENCES_FORM_FIELDS)[number] | 'form' {
  const parts = (typeof path === 'string' ? path.split(/[./]/) : path.map(String)).filter((p) => p !== '');
  if (parts[0] === 'sizes') return parts[1] === 'shoes' ? 'sizeShoes' : 'sizeClothing';
  const field = parts[0] as (typeof PREFERENCES_FORM_FIELDS)[number];
  return PREFERENCES_FORM_FIELDS.includes(field) ? field : 'form';
}
