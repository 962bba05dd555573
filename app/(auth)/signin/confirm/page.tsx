import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { AuthShell } from '@/components/auth-shell';
import { SubmitButton } from '@/components/ui/button';
import { brand } from '@/lib/brand';
import { ConfirmLinkSchema } from '@/lib/validation/sign-in';
import { peekLink } from '@/server/sign-in';
import { confirmLinkAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  // The token is in this page's URL: never send it on in a Referer.
  return { title: (await getTranslations('confirm'))('metaTitle'), referrer: 'no-referrer' };
}

/**
 * Opening the link only shows this page; nothing is used until the button
 * POSTs. Link scanners fetch with GET and so cannot spend the link.
 */
export default async function ConfirmPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const parsed = ConfirmLinkSchema.safeParse({ token });
  const pending = parsed.success ? await peekLink(parsed.data.token) : null;
  const t = await getTranslations('confirm');

  if (!parsed.success || !pending) {
    return (
      <AuthShell title={t('invalidTitle')}>
        <p className="mb-6 text-muted">{t('invalid')}</p>
        <Link href="/signin" className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand">
          {t('requestNew')}
        </Link>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro', { brand: brand.name, email: pending.email })}</p>
      <form action={confirmLinkAction}>
        <input type="hidden" name="token" value={parsed.data.token} />
        <SubmitButton className="w-full" pendingLabel={t('submitting')}>
          {t('submit')}
        </SubmitButton>
      </form>
    </AuthShell>
  );
}
