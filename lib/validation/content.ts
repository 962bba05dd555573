// The bodies of content revisions (docs/decisions/035-personalization.md §4), one schema per
// type, run by the console's forms (in the browser: zod/mini), the CLI's import and
// server/personalization/content.ts. Errors are message keys under console.content.errors.
// Texts are plain text, rendered escaped with their line breaks kept: HTML shows as typed.
import * as z from 'zod/mini';

import { RuleSchema, SegmentRuleSchema } from '@/lib/personalization/rule-schema';

const E = 'console.content.errors.';

export const CONTENT_LIMITS = {
  key: 64,
  title: 120,
  text: 600,
  alt: 200,
  ctaLabel: 40,
  url: 500,
  segmentName: 80,
  priority: 1000,
  holdoutPercent: 50,
} as const;

export const CONTENT_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const ContentKeySchema = z
  .string({ error: `${E}key` })
  .check(z.regex(CONTENT_KEY_PATTERN, { error: `${E}key` }));

const text = (max: number, required: boolean, key: string) =>
  z
    .string({ error: `${E}${key}.required` })
    .check(
      z.trim(),
      z.maxLength(max, { error: `${E}${key}.tooLong` }),
      ...(required ? [z.minLength(1, { error: `${E}${key}.required` })] : []),
    );

const localized = (max: number, required: boolean, key: string) =>
  z.strictObject({ en: text(max, required, key), fr: text(max, required, key) });

/** `https://…` or a path of this site (`/…`, not `//…`). */
export function isContentUrl(value: string): boolean {
  if (value.startsWith('/')) return !value.startsWith('//') && !value.startsWith('/\\');
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const dateTime = z.nullable(z.iso.datetime({ offset: true, error: `${E}schedule.invalid` }));

export const BlockBodySchema = z
  .strictObject({
    title: localized(CONTENT_LIMITS.title, true, 'title'),
    text: localized(CONTENT_LIMITS.text, false, 'text'),
    image: z.nullable(
      z.strictObject({
        id: z.string({ error: `${E}image.invalid` }).check(z.regex(/^[0-9a-f]{64}$/, { error: `${E}image.invalid` })),
        alt: localized(CONTENT_LIMITS.alt, true, 'alt'),
      }),
    ),
    cta: z.nullable(
      z.strictObject({
        label: localized(CONTENT_LIMITS.ctaLabel, true, 'ctaLabel'),
        url: z
          .string({ error: `${E}url.invalid` })
          .check(
            z.trim(),
            z.maxLength(CONTENT_LIMITS.url, { error: `${E}url.tooLong` }),
            z.refine(isContentUrl, { error: `${E}url.invalid` }),
          ),
      }),
    ),
    startsAt: dateTime,
    endsAt: dateTime,
    priority: z
      .number({ error: `${E}priority` })
      .check(
        z.int({ error: `${E}priority` }),
        z.minimum(0, { error: `${E}priority` }),
        z.maximum(CONTENT_LIMITS.priority, { error: `${E}priority` }),
      ),
    /** Shown to everyone (and to customers who are not personalized); its rule is {}. */
    generic: z.boolean({ error: `${E}generic` }),
    rule: RuleSchema,
  })
  .check(
    z.refine((b) => !b.startsAt || !b.endsAt || Date.parse(b.endsAt) > Date.parse(b.startsAt), {
      error: `${E}schedule.endBeforeStart`,
      path: ['endsAt'],
    }),
    z.refine((b) => (b.generic ? Object.keys(b.rule).length === 0 : Object.keys(b.rule).length > 0), {
      error: `${E}rule.genericMismatch`,
      path: ['rule'],
    }),
  );
export type BlockBody = z.infer<typeof BlockBodySchema>;

export const SegmentBodySchema = z.strictObject({
  name: text(CONTENT_LIMITS.segmentName, true, 'segmentName'),
  rule: SegmentRuleSchema,
});
export type SegmentBody = z.infer<typeof SegmentBodySchema>;

export const SettingsBodySchema = z.strictObject({
  holdoutPercent: z
    .number({ error: `${E}holdout` })
    .check(
      z.int({ error: `${E}holdout` }),
      z.minimum(0, { error: `${E}holdout` }),
      z.maximum(CONTENT_LIMITS.holdoutPercent, { error: `${E}holdout` }),
    ),
});
export type SettingsBody = z.infer<typeof SettingsBodySchema>;

export const CONTENT_TYPES = ['block', 'segment', 'settings'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
export type ContentBody<T extends ContentType> = T extends 'block'
  ? BlockBody
  : T extends 'segment'
    ? SegmentBody
    : SettingsBody;
