/**
 * What every server action returns: never a record, only whether it worked
 * and message keys (translated by the form) for what to fix.
 */
export type ActionResult =
  | { ok: true }
  | {
      ok: false;
      fieldErrors?: Record<string, string>;
      message?: string;
      values?: Record<string, number | string>;
      /** The action needs a recent authentication: the form asks for it inline, then retries. */
      stepUp?: true;
    };

/** Maps zod issues to { field: messageKey }, first issue per field. */
export function fieldErrorsFrom(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}
