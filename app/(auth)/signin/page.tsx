import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { AuthShell } from '@/components/auth-shell';
import { safeReturnPath } from '@/lib/safe-redirect';
import { getSignedInCustomer } from '@/server/auth';
import { PasskeySignIn } from './passkey-sign-in';
import { SignInForm } from './sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('signIn'))('metaTitle') };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  const returnTo = safeReturnPath(callbackUrl, '') || undefined;
  if (await getSignedInCustomer()) redirect(returnTo ?? '/account');
  const t = await getTranslations('signIn');
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro')}</p>
      <SignInForm returnTo={returnTo} />
      <PasskeySignIn />
      <p className="mt-6 text-sm text-muted">{t('privacyHint')}</p>
    </AuthShell>
  );
}
