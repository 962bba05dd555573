import type { Metadata } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getMessages, getTranslations } from 'next-intl/server';
import type { CSSProperties, ReactNode } from 'react';
import { brand } from '@/lib/brand';
import './globals.css';

export const metadata: Metadata = {
  title: { template: `%s · ${brand.name}`, default: brand.name },
  icons: { icon: brand.logo.src },
};

// Only what client components render goes to the browser.
const CLIENT_NAMESPACES = ['common', 'validation', 'signIn', 'code', 'confirm', 'welcome', 'error', 'passkey', 'security', 'stepUp', 'welcomePasskey', 'profile', 'emailChange', 'privacy', 'export', 'deletion'] as const;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, messages, t] = await Promise.all([getLocale(), getMessages(), getTranslations('common')]);
  const clientMessages = Object.fromEntries(CLIENT_NAMESPACES.map((ns) => [ns, messages[ns]]));
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
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-4 focus:py-2"
        >
          {t('skipToContent')}
        </a>
        <NextIntlClientProvider messages={clientMessages}>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
