import { describe, expect, it } from 'vitest';

import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '@/server/identity/passkeys';
import { createCustomer } from '@/tests/factories';

import { uniqueEmail } from './helpers';
import { SoftwareAuthenticator } from './software-authenticator';

// docs/decisions/025-guessing-budgets-and-passkey-assurance.md

async function customerWithPasskey() {
  const customer = await createCustomer({ email: uniqueEmail('assurance') });
  const authenticator = new SoftwareAuthenticator();
  const { ceremonyId, options } = await startPasskeyRegistration({ ...customer, firstName: null });
  const added = await finishPasskeyRegistration(customer.id, ceremonyId, authenticator.register(options), 'Laptop');
  if (!added.ok) throw new Error(`registration refused: ${added.reason}`);
  return { customer, authenticator, passkeyId: added.passkeyId };
}

describe('user verification', () => {
  it('a step-up asks for it and counts a passkey assertion only with the UV flag set', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    const presenceOnly = await startPasskeyAuthentication('step-up', customer.id);
    expect(presenceOnly.options.userVerification).toBe('required');
    expect(
      await finishPasskeyAuthentication(
        presenceOnly.ceremonyId,
        authenticator.authenticate(presenceOnly.options, { userVerified: false }),
        { purpose: 'step-up', customerId: customer.id },
      ),
    ).toEqual({ ok: false, reason: 'not-user-verified' });

    const verified = await startPasskeyAuthentication('step-up', customer.id);
    expect(
      await finishPasskeyAuthentication(verified.ceremonyId, authenticator.authenticate(verified.options), {
        purpose: 'step-up',
        customerId: customer.id,
      }),
    ).toEqual({ ok: true, customerId: customer.id });
  });

  it('is preferred, not required, for signing in', async () => {
    const { customer, authenticator } = await customerWithPasskey();
    const { ceremonyId, options } = await startPasskeyAuthentication();
    expect(options.userVerification).toBe('preferred');
    expect(
      await finishPasskeyAuthentication(ceremonyId, authenticator.authenticate(options, { userVerified: false })),
    ).toEqual({ ok: true, customerId: customer.id });
  });
});
