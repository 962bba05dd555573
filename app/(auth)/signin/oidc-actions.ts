'use server';

import { redirect, unstable_rethrow } from 'next/navigation';

import { formField } from '@/lib/form-field';
import { safeReturnPath } from '@/lib/safe-redirect';
import { OidcSignInSchema } from '@/lib/validation/identity';
import { getSignedInCustomer, signIn } from '@/server/identity/auth';
import { isOidcProvider } from '@/server/identity/oidc';
import { deleteCookie, setCookie } from '@/server/platform/cookies';
import { errorMessage, getLogger } from '@/server/platform/log';

/**
 * A "Sign in with …" button: Auth.js stores the state, PKCE verifier and nonce
 * in short-lived cookies and sends the browser to the provider. The answer
 * comes back to /api/auth/callback/<provider> (server/identity/oidc.ts oidcSignIn).
 */
export async function oidcSignInAction(formData: unknown): Promise<void> {
  const parsed = OidcSignInSchema.safeParse({
    provider: formField(formData, 'provider'),
    returnTo: formField(formData, 'returnTo'),
  });
  if (!parsed.success || !isOidcProvider(parsed.data.provider)) redirect('/signin');
  if (await getSignedInCustomer()) redirect('/account');
  const { provider } = parsed.data;
  const returnTo = safeReturnPath(parsed.data.returnTo);
  // Read again if the customer is sent to the link page first (./link/actions.ts).
  if (returnTo !== '/account') await setCookie('returnTo', returnTo);
  else await deleteCookie('returnTo');
  try {
    await signIn(provider, { redirectTo: returnTo });
  } catch (error) {
    unstable_rethrow(error);
    getLogger().error({ component: 'oidc', provider }, `cannot start a sign-in: ${errorMessage(error)}`);
    redirect(`/signin?${new URLSearchParams({ error: 'oidc-unavailable', provider })}`);
  }
}
