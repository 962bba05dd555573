import type { Metadata } from 'next';
import { getLocale, getTranslations } from 'next-intl/server';
import { headers } from 'next/headers';
import type { CSSProperties, ReactNode } from 'react';

import { RequestIdProvider } from '@/components/error-reference';
import { brand } from '@/lib/brand';

import './globals.css';

export const metadata: Metadata = {
  title: { template: `%s · ${brand.name}`, default: brand.name },
  icons: { icon: brand.logo.src },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, t, tError, requestHeaders] = await Promise.all([
    getLocale(),
    getTranslations('common'),
    getTranslations('error'),
    headers(),
  ]);
  // The error boundary's words, translated here: no page loads a message formatter for it.
  const errorTexts = {
    title: tError('title'),
    body: t('genericError'),
    retry: tError('retry'),
    // Filled in by the error page with the reference it shows.
    reference: tError('reference', { id: '\u0000' }),
  };
  const style = {
    '--brand-primary': brand.colors.primary,
    '--brand-on-primary': brand.colors.onPrimary,
    '--brand-background': brand.colors.background,
    '--brand-text': brand.colors.text,
    '--brand-muted': brand.colors.muted,
  } as CSSProperties;
  return (
    <html lang={locale} style={style}>
      <body className="min-h-dvh bg-page font-sans text-ink antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-4 focus:left-4 focus:z-50 focus:rounded focus:bg-white focus:px-4 focus:py-2"
        >
          {t('skipToContent')}
        </a>
        {/* Each section's layout sends the messages its client components need (components/client-messages.tsx). */}
        <RequestIdProvider requestId={requestHeaders.get('x-request-id')} lang={locale} texts={errorTexts}>
          {children}
        </RequestIdProvider>
      </body>
    </html>
  );
}
