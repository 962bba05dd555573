import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { AuthShell } from '@/app/_components/auth-shell';
import { countPasskeys } from '@/server/identity/passkeys';

import { loadInteraction } from '../view';
import { StepUpForApp } from './step-up-for-app';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('oidc.authorize'))('stepUpMetaTitle') };
}

/** The app asked for a strong sign-in (acr_values, max_age): a passkey or a fresh email code, as the account pages ask. */
export default async function StepUpPage({ params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  const { view, customer } = await loadInteraction(uid);
  const [t, passkeys] = await Promise.all([getTranslations('oidc.authorize'), countPasskeys(customer.id)]);
  return (
    <AuthShell title={t('stepUpTitle', { app: view.app.name })}>
      <p className="mb-6 text-muted">{t('stepUpIntro', { app: view.app.name, email: customer.email })}</p>
      <StepUpForApp uid={view.uid} hasPasskey={passkeys > 0} />
    </AuthShell>
  );
}
