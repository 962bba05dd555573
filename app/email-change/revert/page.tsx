import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { ConfirmLinkPage, LinkOutcomePage } from '@/app/_components/link-pages';
import { brand } from '@/lib/brand';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { peekEmailRevert } from '@/server/customers/email-change';

import { revertEmailChangeAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('emailChange.revertPage'))('metaTitle'), referrer: 'no-referrer' };
}

/** The link in the notice to the old address: undo the change, for 7 days. */
export default async function RevertEmailChangePage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; status?: string }>;
}) {
  const { token, status } = await searchParams;
  const t = await getTranslations('emailChange.revertPage');
  const support = brand.supportEmail;
  const signIn = { href: '/signin', label: t('signIn') };
  if (status === 'done' || status === 'taken') {
    return (
      <LinkOutcomePage
        title={t(status === 'done' ? 'doneTitle' : 'takenTitle')}
        text={t(status === 'done' ? 'done' : 'taken', { support })}
        next={signIn}
      />
    );
  }
  const parsed = EmailChangeTokenSchema.safeParse({ token });
  const change = parsed.success ? await peekEmailRevert(parsed.data.token) : null;
  if (!parsed.success || !change)
    return <LinkOutcomePage title={t('invalidTitle')} text={t('invalid', { support })} next={signIn} />;
  return (
    <ConfirmLinkPage
      title={t('title')}
      intro={t('intro', { newEmail: change.newEmail, oldEmail: change.oldEmail })}
      action={revertEmailChangeAction}
      token={parsed.data.token}
      submit={t('submit')}
      submitting={t('submitting')}
    />
  );
}
