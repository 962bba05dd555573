// What the console's block and segment editors send their server actions
// (docs/decisions/035-personalization.md §6): the body schemas of lib/validation/content.ts, with
// the object they save and the revision the form loaded (a newer one makes the save stale).
import * as z from 'zod/mini';

import { SLOT_KEYS } from '@/lib/personalization/catalogue';
import { RuleSchema } from '@/lib/personalization/rule-schema';

import { BlockBodySchema, ContentKeySchema, SegmentBodySchema } from './content';

const id = z.nullable(z.uuid({ error: 'console.content.editor.notFound' }));

export const SaveBlockSchema = z.strictObject({
  objectId: id,
  slot: z.enum(SLOT_KEYS, { error: 'console.content.editor.notFound' }),
  key: ContentKeySchema,
  expectedLatestRevisionId: id,
  body: BlockBodySchema,
});
export type SaveBlockInput = z.input<typeof SaveBlockSchema>;

export const SaveSegmentSchema = z.strictObject({
  objectId: id,
  key: ContentKeySchema,
  expectedLatestRevisionId: id,
  body: SegmentBodySchema,
});
export type SaveSegmentInput = z.input<typeof SaveSegmentSchema>;

export const EstimateSchema = z.strictObject({ rule: RuleSchema });

/**
 * Field errors keyed by their dotted path ("body.title.en"), as react-hook-form names fields; first
 * per field. A rule's issues are the rule's: the builder shows them under it, not on a row.
 */
export function fieldErrorsByPath(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path.map(String);
    const field = path[0] === 'body' && path[1] === 'rule' ? 'body.rule' : path.join('.') || 'form';
    errors[field] ??= issue.message;
  }
  return errors;
}
