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
      /** The data changed elsewhere since the form was loaded: both values, for the customer to choose. */
      conflict?: EditConflict;
    };

export type ActionFailure = Extract<ActionResult, { ok: false }>;

/** A value as a conflict shows it: text, nothing, or a few named parts (an address). */
export type ConflictValue = string | null | Record<string, string | null>;

export type EditConflict = {
  /** The version now saved: keeping one's own values means saving again against it. */
  version: number;
  fields: Array<{ field: string; yours: ConflictValue; current: ConflictValue }>;
};

/** For forms that write versioned data: the version their save produced, to write against next. */
export type VersionedActionResult = { ok: true; version: number } | ActionFailure;

/** Maps zod issues to { field: messageKey }, first issue per field. */
export function fieldErrorsFrom(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** "Too many attempts: try again in N minutes" (a rate limit's retry delay, rounded up, at least one). */
export function rateLimitedResult(retryAfterSeconds: number): ActionFailure {
  return {
    ok: false,
    message: 'common.rateLimited',
    values: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) },
  };
}

/** A typed code that did not work (server/identity/sign-in.ts verifyCode), as every code form shows it. */
export function codeFailureResult(
  failure:
    | { reason: 'wrong-code'; attemptsLeft: number }
    | { reason: 'code-dead' | 'expired' }
    | { reason: 'rate-limited' | 'codes-paused'; retryAfterSeconds: number },
): ActionFailure {
  switch (failure.reason) {
    case 'wrong-code':
      return { ok: false, fieldErrors: { code: 'code.wrong' }, values: { attemptsLeft: failure.attemptsLeft } };
    case 'code-dead':
      return { ok: false, message: 'code.dead' };
    case 'rate-limited':
      return rateLimitedResult(failure.retryAfterSeconds);
    case 'codes-paused':
      return { ok: false, message: 'code.paused' };
    default:
      return { ok: false, message: 'code.expired' };
  }
}

/** A passkey assertion that did not work (server/identity/passkeys.ts finishPasskeyAuthentication), as every passkey form shows it. */
export function passkeyFailureResult(
  failure:
    | { reason: 'invalid' | 'expired' | 'unknown-passkey' | 'cloned' | 'not-user-verified' }
    | { reason: 'rate-limited'; retryAfterSeconds: number },
): ActionFailure {
  switch (failure.reason) {
    case 'rate-limited':
      return rateLimitedResult(failure.retryAfterSeconds);
    case 'cloned':
      return { ok: false, message: 'passkey.cloned' };
    case 'expired':
      return { ok: false, message: 'passkey.expired' };
    case 'not-user-verified':
      return { ok: false, message: 'passkey.notUserVerified' };
    default:
      return { ok: false, message: 'passkey.invalid' };
  }
}

/** A staff passkey that did not work (server/staff/passkeys.ts), as the console's passkey forms show it. */
export function staffPasskeyFailureResult(
  failure:
    | { reason: 'invalid' | 'expired' | 'unknown-passkey' | 'cloned' | 'not-user-verified' | 'disabled' }
    | { reason: 'rate-limited'; retryAfterSeconds: number },
): ActionFailure {
  switch (failure.reason) {
    case 'rate-limited':
      return rateLimitedResult(failure.retryAfterSeconds);
    case 'unknown-passkey':
      return { ok: false, message: 'console.passkey.unknownPasskey' };
    case 'not-user-verified':
      return { ok: false, message: 'console.passkey.notUserVerified' };
    case 'disabled':
    case 'cloned':
    case 'expired':
      return { ok: false, message: `console.passkey.${failure.reason}` };
    default:
      return { ok: false, message: 'console.passkey.invalid' };
  }
}
