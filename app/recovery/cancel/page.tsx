import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';

import { ConfirmLinkPage, LinkOutcomePage } from '@/app/_components/link-pages';
import { EmailChangeTokenSchema } from '@/lib/validation/email-change';
import { peekRecoveryCancel } from '@/server/support/recovery';

import { cancelRecoveryLinkAction } from '../actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('recovery.cancel'))('metaTitle'), referrer: 'no-referrer' };
}

/** The link in the recovery notice (mail and SMS): stop a recovery through support during its hold. */
export default async function CancelRecoveryPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; status?: string }>;
}) {
  const { token, status } = await searchParams;
  const t = await getTranslations('recovery.cancel');
  const format = await getFormatter();
  const signIn = { href: '/signin', label: t('signIn') };
  if (status === 'done') return <LinkOutcomePage title={t('doneTitle')} text={t('done')} next={signIn} />;
  const parsed = EmailChangeTokenSchema.safeParse({ token });
  const recovery = parsed.success ? await peekRecoveryCancel(parsed.data.token) : null;
  if (!parsed.success || !recovery)
    return <LinkOutcomePage title={t('expiredTitle')} text={t('expired')} next={signIn} />;
  return (
    <ConfirmLinkPage
      title={t('title')}
      intro={t('intro', {
        date: recovery.holdUntil ? format.dateTime(recovery.holdUntil, { dateStyle: 'long', timeStyle: 'short' }) : '—',
      })}
      action={cancelRecoveryLinkAction}
      token={parsed.data.token}
      submit={t('button')}
      submitting={t('submitting')}
    />
  );
}
