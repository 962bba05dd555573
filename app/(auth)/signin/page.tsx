import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { redirect } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';
import { PasskeySignIn } from '@/app/_components/passkey-sign-in';
import { brand } from '@/lib/brand';
import { interactionUidOf, returnDestination } from '@/lib/oidc/interaction-path';
import { safeReturnPath } from '@/lib/safe-redirect';
import { getSignedInCustomer } from '@/server/identity/auth';
import { getInteractionView } from '@/server/oidc/interaction-store';

import { finishPasskeySignInAction, startPasskeySignInAction } from './actions';
import { OidcButtons, OidcError } from './oidc-buttons';
import { SignInForm } from './sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('signIn'))('metaTitle') };
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; next?: string; error?: string; provider?: string }>;
}) {
  const { callbackUrl, next, error, provider } = await searchParams;
  // `next`: an app's sign-in request (/oidc/interaction/<uid>) sends the customer here.
  const returnTo = safeReturnPath(next ?? callbackUrl, '') || undefined;
  if (await getSignedInCustomer()) redirect(returnDestination(returnTo ?? '/account'));
  const uid = interactionUidOf(returnTo);
  const [t, tApp, app] = await Promise.all([
    getTranslations('signIn'),
    getTranslations('oidc.authorize'),
    uid ? getInteractionView(uid).then((view) => view?.app ?? null) : null,
  ]);
  return (
    <AuthShell title={app ? tApp('continueTo', { app: app.name }) : t('title')}>
      <OidcError error={error} provider={provider} />
      <p className="mb-6 text-muted">
        {app ? tApp('continueToIntro', { app: app.name, brand: brand.name }) : t('intro')}
      </p>
      <SignInForm returnTo={returnTo} />
      <PasskeySignIn start={startPasskeySignInAction.bind(null, returnTo)} finish={finishPasskeySignInAction} />
      <OidcButtons returnTo={returnTo} />
      <p className="mt-6 text-sm text-muted">{t('privacyHint')}</p>
    </AuthShell>
  );
}
