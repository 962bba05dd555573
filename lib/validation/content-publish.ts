// The console's publishing forms (docs/decisions/035-personalization.md §4, §6): ids the history
// page loaded, sent back so the server acts on what the member saw (else "stale"), and the
// preview's forms. zod/mini: the preview's form runs in the browser too.
import * as z from 'zod/mini';

const E = 'console.content.history.errors.';
const P = 'console.content.preview.errors.';

export const PUBLICATION_NOTE_MAX_LENGTH = 500;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

const uuid = z.string({ error: `${E}notFound` }).check(z.uuid({ error: `${E}notFound` }));
const nullableUuid = z.nullable(uuid);
const note = z.optional(
  z.string({ error: `${E}noteTooLong` }).check(
    z.trim(),
    z.maxLength(PUBLICATION_NOTE_MAX_LENGTH, { error: `${E}noteTooLong` }),
    z.refine((v) => !CONTROL_CHARACTERS.test(v), { error: `${E}noteTooLong` }),
  ),
);

export const PublishRevisionSchema = z.strictObject({
  objectId: uuid,
  revisionId: uuid,
  expectedLiveRevisionId: nullableUuid,
  note,
});
export type PublishRevisionInput = z.infer<typeof PublishRevisionSchema>;

export const UnpublishSchema = z.strictObject({ objectId: uuid, expectedLiveRevisionId: uuid });

export const RevertSchema = z.strictObject({
  objectId: uuid,
  toRevisionId: uuid,
  expectedLiveRevisionId: nullableUuid,
});

export const DecidePublicationSchema = z.strictObject({
  objectId: uuid,
  publicationId: z.string({ error: `${E}notFound` }).check(z.regex(/^[1-9][0-9]{0,18}$/, { error: `${E}notFound` })),
  approve: z.boolean({ error: `${E}notFound` }),
  note,
});

export const HoldoutSettingsSchema = z.strictObject({
  holdoutPercent: z
    .number({ error: 'console.content.errors.holdout' })
    .check(
      z.int({ error: 'console.content.errors.holdout' }),
      z.minimum(0, { error: 'console.content.errors.holdout' }),
      z.maximum(50, { error: 'console.content.errors.holdout' }),
    ),
  expectedLatestRevisionId: nullableUuid,
  expectedLiveRevisionId: nullableUuid,
  note,
});
export type HoldoutSettingsInput = z.infer<typeof HoldoutSettingsSchema>;

export const PREVIEW_REASON_MAX_LENGTH = 500;
const reason = z.string({ error: `${P}reasonRequired` }).check(
  z.trim(),
  z.minLength(1, { error: `${P}reasonRequired` }),
  z.maxLength(PREVIEW_REASON_MAX_LENGTH, { error: `${P}reasonTooLong` }),
  z.refine((v) => !CONTROL_CHARACTERS.test(v), { error: `${P}reasonInvalid` }),
);

/** An exact address, or the sample token the audience estimate gave (then the email stays empty). */
export const PreviewCustomerSchema = z
  .strictObject({
    email: z
      .string({ error: `${P}emailInvalid` })
      .check(z.trim(), z.toLowerCase(), z.maxLength(320, { error: `${P}emailInvalid` })),
    sample: z.optional(z.string().check(z.maxLength(1000, { error: `${P}sampleInvalid` }))),
    /** A block whose latest revision (a draft) replaces its live one in this preview. */
    draft: z.optional(z.string().check(z.uuid({ error: `${P}draftNotFound` }))),
    reason,
    /** The language the preview is shown in (the member's, sent by the form). */
    locale: z.enum(['en', 'fr'], { error: `${P}localeInvalid` }),
  })
  .check(
    z.refine((v) => Boolean(v.sample) || z.email().safeParse(v.email).success, {
      error: `${P}emailInvalid`,
      path: ['email'],
    }),
  );
export type PreviewCustomerInput = {
  email: string;
  sample?: string;
  draft?: string;
  reason: string;
  locale: 'en' | 'fr';
};
