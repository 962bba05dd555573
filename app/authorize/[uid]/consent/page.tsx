import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { AuthShell } from '@/app/_components/auth-shell';

import { loadInteraction } from '../view';
import { ConsentForm } from './consent-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('oidc.authorize'))('consentMetaTitle') };
}

/** An app's first request for a customer: what it asks for, the optional claims as switches, Allow or Refuse. */
export default async function ConsentPage({ params }: { params: Promise<{ uid: string }> }) {
  const { uid } = await params;
  const { view, customer } = await loadInteraction(uid);
  const t = await getTranslations('oidc.authorize');
  return (
    <AuthShell title={t('consentTitle', { app: view.app.name })}>
      {view.app.description && <p className="mb-4 text-muted">{view.app.description}</p>}
      <p className="mb-6 text-sm text-muted">{t('signedInAs', { email: customer.email })}</p>
      <ConsentForm
        uid={view.uid}
        appName={view.app.name}
        required={view.claims.required}
        optional={view.claims.optional}
      />
    </AuthShell>
  );
}
