import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { redirect } from 'next/navigation';

import { AuthShell } from '@/app/_components/auth-shell';
import { getCurrentTerms } from '@/server/consent/consent';
import { requireCustomer } from '@/server/identity/auth';

import { WelcomeForm } from './welcome-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('welcome'))('metaTitle') };
}

export default async function WelcomePage() {
  const customer = await requireCustomer({ allowPending: true });
  if (customer.onboarded) redirect('/account');
  const [t, terms] = await Promise.all([getTranslations('welcome'), getCurrentTerms()]);
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro')}</p>
      <WelcomeForm termsVersion={terms.version} />
    </AuthShell>
  );
}
