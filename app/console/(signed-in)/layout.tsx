import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';

import { LanguageSwitcher } from '@/app/_components/language-switcher';
import { SectionNav } from '@/app/_components/section-nav';
import { BrandLogo } from '@/components/brand-logo';
import { SubmitButton } from '@/components/ui/button';
import { brand } from '@/lib/brand';
import { requireStaff, staffCan } from '@/server/staff/auth';

import { CONSOLE_NAV } from '../nav';
import { staffSignOutAction } from './actions';

export default async function SignedInConsoleLayout({ children }: { children: ReactNode }) {
  // Pages check their own permission: a layout does not re-run on every navigation.
  const staff = await requireStaff();
  const [t, tc] = await Promise.all([getTranslations('console'), getTranslations('common')]);
  const links = [
    { href: '/console', label: t('nav.home') },
    ...CONSOLE_NAV.filter((item) => staffCan(staff, item.permission)).map((item) => ({
      href: item.href,
      label: t(`nav.${item.key}`),
    })),
    { href: '/console/account', label: t('nav.account') },
  ];
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-4">
          <div className="flex items-center gap-3">
            <BrandLogo href="/console" label={t('home', { brand: brand.name })} />
            <span className="rounded bg-slate-800 px-2 py-0.5 text-xs font-semibold tracking-wide text-white uppercase">
              {t('badge')}
            </span>
          </div>
          <div className="flex flex-wrap items-center gap-4">
            <span className="text-sm text-muted">{t('signedInAs', { name: staff.displayName })}</span>
            <LanguageSwitcher />
            <form action={staffSignOutAction}>
              <SubmitButton variant="secondary" pendingLabel={tc('signingOut')}>
                {tc('signOut')}
              </SubmitButton>
            </form>
          </div>
        </div>
        <SectionNav label={t('nav.label')} links={links} className="mx-auto max-w-6xl px-4" />
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
        {children}
      </main>
    </div>
  );
}
