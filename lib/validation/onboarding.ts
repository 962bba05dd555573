import * as z from 'zod/mini';

export const FIRST_NAME_MAX_LENGTH = 100;

/** Letters of any script, marks, spaces, apostrophes, hyphens, dots; a letter first. */
export const PERSON_NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M}' .\u2019-]*$/u;

/** A person's name part: letters of any script, marks, spaces, apostrophes, hyphens, dots. */
export const PersonNameSchema = z
  .string({ error: 'firstName.required' })
  .check(
    z.trim(),
    z.minLength(1, { error: 'firstName.required' }),
    z.maxLength(FIRST_NAME_MAX_LENGTH, { error: 'firstName.tooLong' }),
    z.regex(PERSON_NAME_PATTERN, { error: 'firstName.invalid' }),
  );

export const CompleteOnboardingSchema = z.object({
  firstName: PersonNameSchema,
  acceptTerms: z.literal(true, { error: 'acceptTerms.required' }),
});
export type CompleteOnboardingInput = z.input<typeof CompleteOnboardingSchema>;
