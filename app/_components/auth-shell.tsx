import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';

import { BrandLogo } from '@/components/brand-logo';
import { brand } from '@/lib/brand';

import { LanguageSwitcher } from './language-switcher';

/** The frame of the sign-in pages: logo, language, one card. */
export async function AuthShell({ title, children }: { title: string; children: ReactNode }) {
  const t = await getTranslations('common');
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-md items-center justify-between px-4 py-6">
        <BrandLogo href="/" label={t('home', { brand: brand.name })} />
        <LanguageSwitcher />
      </header>
      <main id="main" className="mx-auto w-full max-w-md flex-1 px-4 pb-16">
        <div className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
          <h1 className="mb-2 text-2xl font-bold tracking-tight">{title}</h1>
          {children}
        </div>
      </main>
    </div>
  );
}
