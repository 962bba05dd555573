import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { AuthShell } from '@/components/auth-shell';
import { SubmitButton } from '@/components/ui/button';
import { brand } from '@/lib/brand';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { peekEmailRevert } from '@/server/email-change';
import { revertEmailChangeAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('emailChange.revertPage'))('metaTitle'), referrer: 'no-referrer' };
}

const linkClass = 'inline-flex min-h-11 items-center rounded-lg bg-brand px-5 py-2.5 font-semibold text-on-brand';

/** The link in the notice to the old address: undo the change, for 7 days. */
export default async function RevertEmailChangePage({ searchParams }: { searchParams: Promise<{ token?: string; status?: string }> }) {
  const { token, status } = await searchParams;
  const t = await getTranslations('emailChange.revertPage');
  const support = brand.supportEmail;
  if (status === 'done' || status === 'taken') {
    return (
      <AuthShell title={t(status === 'done' ? 'doneTitle' : 'takenTitle')}>
        <p className="mb-6 text-muted">{t(status === 'done' ? 'done' : 'taken', { support })}</p>
        <Link href="/signin" className={linkClass}>
          {t('signIn')}
        </Link>
      </AuthShell>
    );
  }
  const parsed = EmailChangeTokenSchema.safeParse({ token });
  const change = parsed.success ? await peekEmailRevert(parsed.data.token) : null;
  if (!parsed.success || !change) {
    return (
      <AuthShell title={t('invalidTitle')}>
        <p className="mb-6 text-muted">{t('invalid', { support })}</p>
        <Link href="/signin" className={linkClass}>
          {t('signIn')}
        </Link>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t('title')}>
      <p className="mb-6 break-words text-muted">{t('intro', { newEmail: change.newEmail, oldEmail: change.oldEmail })}</p>
      <form action={revertEmailChangeAction}>
        <input type="hidden" name="token" value={parsed.data.token} />
        <SubmitButton className="w-full" pendingLabel={t('submitting')}>
          {t('submit')}
        </SubmitButton>
      </form>
    </AuthShell>
  );
}
