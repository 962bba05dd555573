import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { AuthShell } from '@/app/_components/auth-shell';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('deletion'))('goodbyeMetaTitle') };
}

/** Where account deletion lands: signed out, nothing left to show but a way back in. */
export default async function AccountDeletedPage() {
  const t = await getTranslations('deletion');
  return (
    <AuthShell title={t('goodbyeTitle')}>
      <p className="mb-6 text-muted">{t('goodbye')}</p>
      <Link
        href="/signin"
        className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand"
      >
        {t('registerAgain')}
      </Link>
    </AuthShell>
  );
}
