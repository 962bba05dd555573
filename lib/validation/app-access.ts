import { z } from 'zod';

/** One click in "Apps with access": withdraw an app's access to one's data, or allow it again. */
export const SetAppAccessSchema = z.object({
  appId: z.uuid(),
  allowed: z.boolean(),
});
export type SetAppAccessInput = z.input<typeof SetAppAccessSchema>;
