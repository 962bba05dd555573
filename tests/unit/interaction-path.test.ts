import { describe, expect, it } from 'vitest';

import { interactionUidOf, isInteractionUid, returnDestination } from '@/lib/oidc/interaction-path';
import { safeReturnPath } from '@/lib/safe-redirect';
import { ConsentAnswerSchema } from '@/lib/validation/oidc-consent';

describe("the way back to an app's sign-in request", () => {
  it('recognises an interaction path, and nothing that only looks like one', () => {
    expect(interactionUidOf('/oidc/interaction/Xy1_-abcdefghijklmnopq')).toBe('Xy1_-abcdefghijklmnopq');
    for (const path of [
      '/oidc/interaction/short',
      '/oidc/interaction/Xy1abcdefghijklmnopq/login',
      '/oidc/interaction/Xy1abcdefghijklmnopq?x=1',
      '/oidc/interaction/../../account',
      '//oidc/interaction/Xy1abcdefghijklmnopq',
      'https://evil.example/oidc/interaction/Xy1abcdefghijklmnopq',
      '/oidc/auth',
      undefined,
      42,
    ])
      expect(interactionUidOf(path), String(path)).toBeNull();
    expect(isInteractionUid('a'.repeat(65))).toBe(false);
    expect(isInteractionUid("abc'; DROP TABLE x;--")).toBe(false);
  });

  it('leaves Next.js through /authorize/<uid>/continue for an interaction; any other path is kept', () => {
    expect(returnDestination('/oidc/interaction/Xy1abcdefghijklmnopq')).toBe(
      '/authorize/Xy1abcdefghijklmnopq/continue',
    );
    expect(returnDestination('/account/privacy')).toBe('/account/privacy');
    // What the sign-in keeps of `next` is checked first: another site never gets this far.
    expect(returnDestination(safeReturnPath('https://evil.example/oidc/interaction/Xy1abcdefghijklmnopq'))).toBe(
      '/account',
    );
  });

  it('takes a consent answer of known claims only', () => {
    const uid = 'Xy1abcdefghijklmnopq';
    expect(ConsentAnswerSchema.safeParse({ uid, approved: true, optional: ['email'] }).success).toBe(true);
    for (const bad of [
      { uid, approved: true, optional: ['birthdate'] },
      { uid, approved: 'yes', optional: [] },
      { uid: '../x', approved: true, optional: [] },
      { uid, approved: true, optional: [], extra: 1 },
      { uid, approved: true, optional: Array(20).fill('email') },
    ])
      expect(ConsentAnswerSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
