import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { AuthShell } from '@/app/_components/auth-shell';
import { AddPasskeyButton } from '@/app/account/security/add-passkey-button';
import { returnDestination } from '@/lib/oidc/interaction-path';
import { safeReturnPath } from '@/lib/safe-redirect';
import { requireCustomer } from '@/server/identity/auth';
import { countPasskeys } from '@/server/identity/passkeys';
import { readCookie } from '@/server/platform/cookies';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('welcomePasskey'))('title') };
}

/** Right after registration: offer a passkey, one click to skip. */
export default async function WelcomePasskeyPage() {
  const customer = await requireCustomer({ returnTo: '/welcome/passkey' });
  const [t, passkeys, returnTo] = await Promise.all([
    getTranslations('welcomePasskey'),
    countPasskeys(customer.id),
    readCookie('returnTo'),
  ]);
  // Registered on the way to an app (or another page): go on there (app/(auth)/signin/actions.ts finishSignIn).
  const continueTo = returnDestination(safeReturnPath(returnTo));
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro')}</p>
      <AddPasskeyButton hasPasskey={passkeys > 0} label={t('add')} continueTo={continueTo} />
      <p className="mt-6">
        <Link href={continueTo} className="font-medium text-brand underline underline-offset-4 hover:no-underline">
          {t('skip')}
        </Link>
      </p>
    </AuthShell>
  );
}
