import { getTranslations } from 'next-intl/server';
import { headers } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';

import { LanguageSwitcher } from '@/app/_components/language-switcher';
import { SectionNav } from '@/app/_components/section-nav';
import { BrandLogo } from '@/components/brand-logo';
import { SubmitButton } from '@/components/ui/button';
import { brand } from '@/lib/brand';
import { safeReturnPath } from '@/lib/safe-redirect';
import { countConsentsToReview } from '@/server/consent/consent';
import { honourGlobalPrivacyControl } from '@/server/consent/privacy-signals';
import { requireCustomer } from '@/server/identity/auth';

import { signOutAction } from './actions';

export default async function AccountLayout({ children }: { children: ReactNode }) {
  // Pages check again themselves: a layout does not re-run on every navigation.
  // proxy.ts tells us the page asked for, so an ended session comes back to it.
  const customer = await requireCustomer({ returnTo: safeReturnPath((await headers()).get('x-accord-path')) });
  // Global Privacy Control: any account page loaded with Sec-GPC: 1 records the opt-out.
  await honourGlobalPrivacyControl(customer.id);
  const [t, tc, tp, tPreferences, tSupport, toReview] = await Promise.all([
    getTranslations('account'),
    getTranslations('common'),
    getTranslations('privacy'),
    getTranslations('preferences'),
    getTranslations('support'),
    countConsentsToReview(customer.id),
  ]);
  const links = [
    { href: '/account', label: t('overview') },
    { href: '/account/profile', label: t('profile.title') },
    { href: '/account/preferences', label: tPreferences('title') },
    { href: '/account/security', label: t('security.title') },
    { href: '/account/privacy', label: t('privacy.title') },
    { href: '/account/support', label: tSupport('nav') },
  ];
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-4xl flex-wrap items-center justify-between gap-3 px-4 py-4">
          <BrandLogo href="/account" label={tc('home', { brand: brand.name })} />
          <div className="flex items-center gap-4">
            <LanguageSwitcher />
            <form action={signOutAction}>
              <SubmitButton variant="secondary" pendingLabel={tc('signingOut')}>
                {tc('signOut')}
              </SubmitButton>
            </form>
          </div>
        </div>
        <SectionNav label={t('nav')} links={links} className="mx-auto max-w-4xl px-4" />
      </header>
      <main id="main" className="mx-auto w-full max-w-4xl flex-1 px-4 py-8">
        {toReview > 0 && (
          // A purpose's text changed since the customer agreed: asked again on their next visit.
          <div
            role="status"
            className="mb-8 flex flex-wrap items-center justify-between gap-3 rounded-lg border-l-4 border-amber-700 bg-amber-50 px-4 py-3 text-amber-950"
          >
            <p>{tp('reviewBanner', { count: toReview })}</p>
            <Link href="/account/privacy" className="font-semibold underline underline-offset-4">
              {tp('reviewLink')}
            </Link>
          </div>
        )}
        {children}
      </main>
    </div>
  );
}
