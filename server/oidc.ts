import 'server-only';
import type { NextAuthConfig } from 'next-auth';

type Provider = NonNullable<NextAuthConfig['providers']>[number];
type SignInCallback = NonNullable<NonNullable<NextAuthConfig['callbacks']>['signIn']>;

/** Third-party OpenID Connect providers configured from the environment (none yet). */
export function oidcProviders(): Provider[] {
  return [];
}

/** Decides what a third-party sign-in may do (linking rules). */
export const oidcSignIn: SignInCallback = async () => true;
