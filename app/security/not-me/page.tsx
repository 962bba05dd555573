import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { ConfirmLinkPage, LinkOutcomePage } from '@/app/_components/link-pages';
import { peekNotMe } from '@/server/identity/security-events';

import { confirmNotMeAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('notMe'))('title'), referrer: 'no-referrer' };
}

/**
 * The "this wasn't me" link of a security notice. Like sign-in links, opening
 * it only shows this page (mail scanners fetch links); the button ends every session.
 */
export default async function NotMePage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; done?: string }>;
}) {
  const { token, done } = await searchParams;
  const t = await getTranslations('notMe');
  if (done === '1')
    return (
      <LinkOutcomePage title={t('doneTitle')} text={t('done')} next={{ href: '/signin', label: t('signInAgain') }} />
    );
  const pending = typeof token === 'string' ? await peekNotMe(token) : null;
  if (!pending || typeof token !== 'string') return <LinkOutcomePage title={t('invalidTitle')} text={t('invalid')} />;
  return (
    <ConfirmLinkPage
      title={t('title')}
      intro={t('intro')}
      action={confirmNotMeAction}
      token={token}
      submit={t('submit')}
      submitting={t('submitting')}
    />
  );
}
