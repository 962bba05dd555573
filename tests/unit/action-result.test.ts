import { describe, expect, it } from 'vitest';

import { codeFailureResult, rateLimitedResult } from '@/lib/action-result';

describe('action results shared by the code forms', () => {
  it('maps each way a code fails to what the form shows', () => {
    expect(codeFailureResult({ reason: 'wrong-code', attemptsLeft: 2 })).toEqual({
      ok: false,
      fieldErrors: { code: 'code.wrong' },
      values: { attemptsLeft: 2 },
    });
    expect(codeFailureResult({ reason: 'code-dead' })).toEqual({ ok: false, message: 'code.dead' });
    expect(codeFailureResult({ reason: 'expired' })).toEqual({ ok: false, message: 'code.expired' });
    expect(codeFailureResult({ reason: 'rate-limited', retryAfterSeconds: 61 })).toEqual({
      ok: false,
      message: 'common.rateLimited',
      values: { minutes: 2 },
    });
  });
  it('never tells to wait zero minutes', () => {
    expect(rateLimitedResult(5)).toMatchObject({ values: { minutes: 1 } });
  });
});
