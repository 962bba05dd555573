import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { AuthShell } from '@/app/_components/auth-shell';

/** An unknown or expired sign-in request: only the app can start a new one. */
export default async function InteractionNotFound() {
  const t = await getTranslations('oidc.authorize');
  return (
    <AuthShell title={t('expiredTitle')}>
      <p className="text-muted">{t('expired')}</p>
      <p className="mt-6">
        <Link href="/account" className="font-medium text-brand underline underline-offset-4 hover:no-underline">
          {t('toAccount')}
        </Link>
      </p>
    </AuthShell>
  );
}
