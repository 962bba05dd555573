import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { redirect } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';
import { PasskeySignIn } from '@/app/_components/passkey-sign-in';
import { safeReturnPath } from '@/lib/safe-redirect';
import { getSignedInCustomer } from '@/server/identity/auth';

import { finishPasskeySignInAction, startPasskeySignInAction } from './actions';
import { OidcButtons, OidcError } from './oidc-buttons';
import { SignInForm } from './sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('signIn'))('metaTitle') };
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string; provider?: string }>;
}) {
  const { callbackUrl, error, provider } = await searchParams;
  const returnTo = safeReturnPath(callbackUrl, '') || undefined;
  if (await getSignedInCustomer()) redirect(returnTo ?? '/account');
  const t = await getTranslations('signIn');
  return (
    <AuthShell title={t('title')}>
      <OidcError error={error} provider={provider} />
      <p className="mb-6 text-muted">{t('intro')}</p>
      <SignInForm returnTo={returnTo} />
      <PasskeySignIn start={startPasskeySignInAction} finish={finishPasskeySignInAction} />
      <OidcButtons returnTo={returnTo} />
      <p className="mt-6 text-sm text-muted">{t('privacyHint')}</p>
    </AuthShell>
  );
}
