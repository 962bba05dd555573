import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import Link from 'next/link';

import { AuthShell } from '@/app/_components/auth-shell';
import { SubmitButton } from '@/components/ui/button';
import { getPendingIdentityLink } from '@/server/identity/identities';
import { readCookie } from '@/server/platform/cookies';

import { cancelLinkAction } from './actions';
import { LinkProof } from './link-proof';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('oidc.link'))('metaTitle') };
}

/**
 * A third-party identity whose verified email is an existing customer's:
 * nothing is linked until the customer proves that account here.
 */
export default async function LinkIdentityPage() {
  const pending = await getPendingIdentityLink(await readCookie('identityLink'));
  const t = await getTranslations('oidc.link');
  if (!pending) {
    return (
      <AuthShell title={t('expiredTitle')}>
        <p className="mb-6 text-muted">{t('expired')}</p>
        <Link
          href="/signin"
          className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand"
        >
          {t('backToSignIn')}
        </Link>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t('title', { provider: pending.providerName })}>
      <p className="mb-4 text-muted">
        {t.rich('intro', {
          provider: pending.providerName,
          email: pending.email,
          strong: (c) => <strong className="text-ink">{c}</strong>,
        })}
      </p>
      <p className="mb-6 text-muted">{t('prove', { provider: pending.providerName })}</p>
      <LinkProof email={pending.email} hasPasskey={pending.hasPasskey} />
      <form action={cancelLinkAction} className="mt-6">
        <SubmitButton variant="link">{t('cancel', { provider: pending.providerName })}</SubmitButton>
      </form>
    </AuthShell>
  );
}
