import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { AuthShell } from '@/components/auth-shell';
import { SubmitButton } from '@/components/ui/button';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { peekEmailChangeLink } from '@/server/email-change';
import { confirmEmailChangeLinkAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  // The token is in this page's URL: never send it on in a Referer.
  return { title: (await getTranslations('emailChange.confirmPage'))('metaTitle'), referrer: 'no-referrer' };
}

const linkClass = 'inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand';

/** The link in the mail to the new address: shows what it does; only the button uses it. */
export default async function ConfirmEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string; status?: string }> }) {
  const { token, status } = await searchParams;
  const t = await getTranslations('emailChange.confirmPage');
  if (status === 'done' || status === 'taken') {
    return (
      <AuthShell title={t(status === 'done' ? 'doneTitle' : 'takenTitle')}>
        <p className="mb-6 text-muted">{t(status === 'done' ? 'done' : 'taken')}</p>
        <Link href="/account/profile" className={linkClass}>
          {t('toProfile')}
        </Link>
      </AuthShell>
    );
  }
  const parsed = EmailChangeTokenSchema.safeParse({ token });
  const pending = parsed.success ? await peekEmailChangeLink(parsed.data.token) : null;
  if (!parsed.success || !pending) {
    return (
      <AuthShell title={t('invalidTitle')}>
        <p className="mb-6 text-muted">{t('invalid')}</p>
        <Link href="/account/profile" className={linkClass}>
          {t('toProfile')}
        </Link>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 break-words text-muted">{t('intro', { email: pending.newEmail })}</p>
      <form action={confirmEmailChangeLinkAction}>
        <input type="hidden" name="token" value={parsed.data.token} />
        <SubmitButton className="w-full" pendingLabel={t('submitting')}>
          {t('submit')}
        </SubmitButton>
      </form>
    </AuthShell>
  );
}
