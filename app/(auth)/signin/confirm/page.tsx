import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';

import { ConfirmLinkPage, LinkOutcomePage } from '@/app/_components/link-pages';
import { brand } from '@/lib/brand';
import { ConfirmLinkSchema } from '@/lib/validation/sign-in';
import { peekLink } from '@/server/identity/sign-in';

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
      <LinkOutcomePage
        title={t('invalidTitle')}
        text={t('invalid')}
        next={{ href: '/signin', label: t('requestNew') }}
      />
    );
  }
  return (
    <ConfirmLinkPage
      title={t('title')}
      intro={t('intro', { brand: brand.name, email: pending.email })}
      action={confirmLinkAction}
      token={parsed.data.token}
      submit={t('submit')}
      submitting={t('submitting')}
    />
  );
}
