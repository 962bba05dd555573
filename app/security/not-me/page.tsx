import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { AuthShell } from '@/components/auth-shell';
import { SubmitButton } from '@/components/ui/button';
import { peekNotMe } from '@/server/security-events';
import { confirmNotMeAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('notMe'))('title'), referrer: 'no-referrer' };
}

/**
 * The "this wasn't me" link of a security notice. Like sign-in links, opening
 * it only shows this page (mail scanners fetch links); the button ends every session.
 */
export default async function NotMePage({ searchParams }: { searchParams: Promise<{ token?: string; done?: string }> }) {
  const { token, done } = await searchParams;
  const t = await getTranslations('notMe');
  if (done === '1') {
    return (
      <AuthShell title={t('doneTitle')}>
        <p className="mb-6 text-muted">{t('done')}</p>
        <Link href="/signin" className="inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand">
          {t('signInAgain')}
        </Link>
      </AuthShell>
    );
  }
  const pending = typeof token === 'string' ? await peekNotMe(token) : null;
  if (!pending) {
    return (
      <AuthShell title={t('invalidTitle')}>
        <p className="text-muted">{t('invalid')}</p>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 text-muted">{t('intro')}</p>
      <form action={confirmNotMeAction}>
        <input type="hidden" name="token" value={token} />
        <SubmitButton className="w-full" pendingLabel={t('submitting')}>
          {t('submit')}
        </SubmitButton>
      </form>
    </AuthShell>
  );
}
